"""The real corpus, whatever pages it holds: clean validation, complete layers of reviewed documents,
and the five seed pages present byte for byte. Facts about the seed documents in particular are
checked on a copy of just them (`seed_corpus`), so a contributed page never breaks a test here."""
import hashlib
import json

import pytest

from newsspan.records import SPLITS
from newsspan.validate import validate_corpus

from conftest import CORPUS, REPO, SEED_IDS

SEEDS = REPO.parent / "shared" / "seeds"  # the scrapes as delivered; absent on a plain clone

# sha256 of the five seed scrapes as delivered (shared/seeds), recorded when they were imported, so
# that a clone without ../shared/seeds checks them too.
SEED_SHA256 = {
    "moscowtimes-2022-11-03-kherson-flag-capture1.txt": "b9e741981d8fcca46e75074c952b5e05f5c5ec7ecf8b026c2c37c33fd09d3234",
    "moscowtimes-2022-11-03-kherson-flag-capture2.md": "a54c14604eb9db0706d26d0c9c9c42a11c32d3b86395deff100f777331400c28",
    "independent-kherson-retreat-complete.txt": "bc4752941e738fc6aa94aa1431ec4b3af733f088580bc938a0b15b15331c2f86",
    "elespanol-kherson-withdrawal-ordered-mt-en.txt": "be6df788b13a2a45155e8ca420c7c7c1c17a23561ae11202e269c8b0a67dbff6",
    "nytimes-kherson-officials-flee.txt": "d5b4d03dc3f15127e686e8d27099e4f17dd4797d7454d836d252c57ed8df4b58",
}


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_seed_pages_are_in_the_corpus_byte_for_byte():
    found = {name: _sha256(CORPUS / "raw" / name) for name in SEED_SHA256 if (CORPUS / "raw" / name).is_file()}
    assert found == SEED_SHA256
    assert sorted(name.split(".")[0] for name in SEED_SHA256) == sorted(SEED_IDS)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not next to this clone; the recorded sha256 are checked instead")
def test_the_recorded_hashes_are_those_of_the_delivered_seeds():
    assert sorted(_sha256(p) for p in SEEDS.iterdir() if p.is_file()) == sorted(SEED_SHA256.values())


def test_corpus_validates_without_errors():
    report = validate_corpus(CORPUS)
    assert report.errors == []
    assert len(report.documents) == len(list((CORPUS / "annotations").glob("*.json"))) >= len(SEED_IDS)


def test_every_split_is_used():
    report = validate_corpus(CORPUS)
    assert {d.split for d in report.documents.values()} == set(SPLITS)


def test_the_raw_file_suffix_follows_the_raw_format():
    for doc in validate_corpus(CORPUS).documents.values():
        suffix = ".md" if doc.metadata.raw_format == "markdown" else ".txt"
        assert (CORPUS / "raw" / f"{doc.doc_id}{suffix}").is_file(), doc.doc_id


def test_every_reviewed_document_names_its_reviewer():
    """A reviewer adds their id to `annotators` (GUIDELINES.md). A draft is work in progress, left
    out of every version until reviewed: no claim on it."""
    for doc in validate_corpus(CORPUS).documents.values():
        if doc.provenance.status != "draft":
            assert len(set(doc.provenance.annotators)) >= 2, doc.doc_id


def test_every_released_document_is_reviewed_and_in_its_released_split():
    released = json.loads((CORPUS / "released_splits.json").read_text(encoding="utf-8"))
    docs = validate_corpus(CORPUS).documents
    for doc_id, entry in released.items():
        assert doc_id in docs, f"released document {doc_id} is missing"
        assert docs[doc_id].provenance.status in ("reviewed", "gold"), doc_id
        assert docs[doc_id].split == entry["split"], doc_id


def test_near_duplicate_groups_have_two_or_more_members_in_one_split():
    docs = validate_corpus(CORPUS).documents.values()
    groups: dict[str, list] = {}
    for doc in docs:
        if doc.near_duplicate_group:
            groups.setdefault(doc.near_duplicate_group, []).append(doc)
    for name, members in groups.items():
        assert len(members) >= 2, name
        assert len({d.split for d in members}) == 1, name


def test_annotation_files_are_canonically_formatted():
    from newsspan.fmt import format_annotation
    for path in sorted((CORPUS / "annotations").glob("*.json")):
        assert path.read_text(encoding="utf-8") == format_annotation(json.loads(path.read_text(encoding="utf-8"))), \
            f"{path.name}: run python3 build_dataset.py fmt"


# -- the seed documents in particular --------------------------------------------------------------

def test_the_seeds_are_all_reviewed_with_all_three_layers(seed_corpus):
    docs = validate_corpus(seed_corpus).documents
    assert sorted(docs) == sorted(SEED_IDS)
    for doc in docs.values():
        assert doc.entities and doc.quotes and doc.boilerplate, doc.doc_id
        assert doc.provenance.status in ("reviewed", "gold") and len(doc.provenance.annotators) >= 2


def test_the_markdown_seed_is_md_and_the_others_txt(seed_corpus):
    docs = validate_corpus(seed_corpus).documents
    assert [d for d in sorted(docs) if docs[d].metadata.raw_format == "markdown"] == ["moscowtimes-2022-11-03-kherson-flag-capture2"]


def test_the_two_seed_captures_form_one_group_in_one_split(seed_corpus):
    docs = validate_corpus(seed_corpus).documents
    members = [d for d in docs.values() if d.near_duplicate_group]
    assert sorted(d.doc_id for d in members) == [i for i in SEED_IDS if i.startswith("moscowtimes")]
    assert len({d.near_duplicate_group for d in members}) == 1 and len({d.split for d in members}) == 1


def test_the_seed_machine_translation_is_recorded(seed_corpus):
    docs = validate_corpus(seed_corpus).documents
    translated = [d for d in docs.values() if d.metadata.translated_from]
    assert [(d.metadata.translated_from, d.metadata.translation_method) for d in translated] == [("es", "machine")]


def test_both_seed_captures_annotate_the_article_alike(seed_corpus):
    """Entity texts and labels in the article text agree between the two captures (same article)."""
    docs = validate_corpus(seed_corpus).documents
    a, b = sorted((d for d in docs.values() if d.near_duplicate_group), key=lambda d: d.doc_id)

    def in_content(doc):
        bp = [(s.start, s.end) for s in doc.boilerplate]
        return [(e.text.replace("'", "’"), e.label) for e in doc.entities
                if not any(s <= e.start < t for s, t in bp)]
    assert in_content(a) == in_content(b)
    assert [(q.type, q.cue.text if q.cue else None) for q in a.quotes] == [(q.type, q.cue.text if q.cue else None) for q in b.quotes]
