"""The real corpus: byte-exact seeds, clean validation, complete layers."""
import hashlib
import json

from newsspan.records import SPLITS
from newsspan.validate import validate_corpus

from conftest import CORPUS

# sha256 of the five seed scrapes as delivered (shared/seeds), recorded when they were imported.
SEED_SHA256 = {
    "moscowtimes-2022-11-03-kherson-flag-capture1.txt": "b9e741981d8fcca46e75074c952b5e05f5c5ec7ecf8b026c2c37c33fd09d3234",
    "moscowtimes-2022-11-03-kherson-flag-capture2.md": "a54c14604eb9db0706d26d0c9c9c42a11c32d3b86395deff100f777331400c28",
    "independent-kherson-retreat-complete.txt": "bc4752941e738fc6aa94aa1431ec4b3af733f088580bc938a0b15b15331c2f86",
    "elespanol-kherson-withdrawal-ordered-mt-en.txt": "be6df788b13a2a45155e8ca420c7c7c1c17a23561ae11202e269c8b0a67dbff6",
    "nytimes-kherson-officials-flee.txt": "d5b4d03dc3f15127e686e8d27099e4f17dd4797d7454d836d252c57ed8df4b58",
}


def test_raw_files_are_the_seed_bytes():
    found = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (CORPUS / "raw").iterdir()}
    assert found == SEED_SHA256


def test_corpus_validates_clean():
    report = validate_corpus(CORPUS)
    assert report.incidents == []
    assert len(report.documents) == 5


def test_every_split_is_used():
    report = validate_corpus(CORPUS)
    assert {d.split for d in report.documents.values()} == set(SPLITS)


def test_markdown_seed_is_md_and_plain_seeds_are_txt():
    report = validate_corpus(CORPUS)
    for doc in report.documents.values():
        suffix = ".md" if doc.metadata.raw_format == "markdown" else ".txt"
        assert (CORPUS / "raw" / f"{doc.doc_id}{suffix}").is_file()
    assert sum(d.metadata.raw_format == "markdown" for d in report.documents.values()) == 1


def test_every_document_has_all_three_layers_and_is_reviewed():
    for doc in validate_corpus(CORPUS).documents.values():
        assert doc.entities and doc.quotes, doc.doc_id
        assert doc.provenance.status in ("reviewed", "gold")
        assert len(doc.provenance.annotators) >= 2


def test_the_two_captures_form_one_group_in_one_split():
    docs = validate_corpus(CORPUS).documents
    groups = {d.near_duplicate_group for d in docs.values() if d.near_duplicate_group}
    assert len(groups) == 1
    members = [d for d in docs.values() if d.near_duplicate_group]
    assert len(members) == 2 and len({d.split for d in members}) == 1


def test_machine_translation_is_recorded():
    docs = validate_corpus(CORPUS).documents
    translated = [d for d in docs.values() if d.metadata.translated_from]
    assert [(d.metadata.translated_from, d.metadata.translation_method) for d in translated] == [("es", "machine")]


def test_both_captures_annotate_the_article_alike():
    """Entity texts and labels in the article text agree between the two captures (same article)."""
    docs = validate_corpus(CORPUS).documents
    a, b = sorted((d for d in docs.values() if d.near_duplicate_group), key=lambda d: d.doc_id)

    def in_content(doc):
        bp = [(s.start, s.end) for s in doc.boilerplate]
        return [(e.text.replace("'", "’"), e.label) for e in doc.entities
                if not any(s <= e.start < t for s, t in bp)]
    assert in_content(a) == in_content(b)
    assert [(q.type, q.cue.text if q.cue else None) for q in a.quotes] == [(q.type, q.cue.text if q.cue else None) for q in b.quotes]


def test_annotation_files_are_canonically_formatted():
    from newsspan.fmt import format_annotation
    for path in sorted((CORPUS / "annotations").glob("*.json")):
        assert path.read_text(encoding="utf-8") == format_annotation(json.loads(path.read_text(encoding="utf-8"))), path.name
