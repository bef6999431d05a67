"""A contribution end to end, as CONTRIBUTING.md tells it, in a scratch checkout: add a page nobody
has seen, annotate it by text, fix, validate, build while it is a draft, review, cut a version,
build again, and check the built data like any release."""
import json
from pathlib import Path

import pytest
import yaml

from newsspan.fmt import format_annotation
from newsspan.records import SPLITS

from conftest import run_in
from test_build import (check_card_counts, check_card_label_distribution, check_clean_text, check_every_span_comes_back,
                        check_ner_tags_rebuild_every_entity, check_no_document_crosses_splits, release_annotations)

# Written for this test: a short local-news page with the usual scraped furniture around it.
PAGE = """Harbour ferry returns after three-week strike
Commuters cheer as the first boat leaves Pier 4 at dawn
Subscribe to our morning briefing
Get the day's top stories in your inbox before breakfast. Sign up now.
The Harbour Line ferry resumed service on Tuesday after a three-week strike that left thousands of commuters queuing for buses along the coast road.
The first boat left Pier 4 at 6.15am with about 80 passengers on board, according to the operator, Bayside Transit.
"We are glad to be back on the water, and we thank our passengers for their patience," said Maria Lopes, the union's regional secretary, as the crew cast off.
The dispute began on 2 May when crews walked out over a new rota that would have cut rest breaks between crossings. Under the agreement reached late on Sunday, the old rota stays in place until an independent review reports in September.
Bayside Transit's chief executive, Tom Pereira, said the company would refund season-ticket holders for the days without service. Pereira added that extra crossings would run on Friday evening to clear the backlog.
Councillor Ana Ruiz welcomed the deal but warned that the town still depended on a single operator.
Related stories
Coast road closed for resurfacing next month
New timetable for the airport bus
\u00a9 2024 Bayside Gazette. All rights reserved.
"""

# Spans written by text, as CONTRIBUTING.md's step 2 shows.
BOILERPLATE = [
    {"label": "appeal", "text": "Subscribe to our morning briefing\nGet the day's top stories in your inbox before breakfast. Sign up now."},
    {"label": "related", "text": "Related stories\nCoast road closed for resurfacing next month\nNew timetable for the airport bus"},
    {"label": "credit", "text": "\u00a9 2024 Bayside Gazette. All rights reserved."},
]
ENTITIES = [
    {"label": "ORG", "text": "Harbour Line"},
    {"label": "FAC", "text": "Pier 4", "occurrence": 2},
    {"label": "ORG", "text": "Bayside Transit", "occurrence": 1},
    {"id": "e1", "label": "PERSON", "text": "Maria Lopes"},
    {"id": "e2", "label": "PERSON", "text": "Tom Pereira"},
    {"label": "PERSON", "text": "Pereira", "occurrence": 2},
    {"label": "PERSON", "text": "Ana Ruiz"},
]
QUOTES = [
    {"type": "direct", "content": [{"text": "We are glad to be back on the water, and we thank our passengers for their patience,"}],
     "speaker": {"entity": "e1"}, "cue": {"text": "said", "occurrence": 1}},
    {"type": "indirect", "content": [{"text": "the company would refund season-ticket holders for the days without service"}],
     "speaker": {"entity": "e2"}, "cue": {"text": "said", "occurrence": 2}},
]


def _ok(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _annotation_path(repo) -> Path:
    (path,) = [p for p in (repo / "corpus" / "annotations").glob("*.json") if "harbour-ferry" in p.name]
    return path


def _version(repo) -> str:
    import tomllib
    return tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _documents(target) -> dict[str, str]:
    import pyarrow.parquet as pq
    return {r["id"]: split for split in SPLITS for p in sorted((target / "data" / "documents").glob(f"{split}-*.parquet"))
            for r in pq.read_table(p, columns=["id"]).to_pylist()}


@pytest.fixture(scope="module")
def contributed(tmp_path_factory):
    """The checkout after the whole contribution, with the build made while the page was a draft."""
    from conftest import copy_repository

    tmp = tmp_path_factory.mktemp("contribution")
    repo = copy_repository(tmp / "repo")
    before = _version(repo)
    page = tmp / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    # 1. add: no --url (the page does not state one): the metadata says null.
    added = _ok(run_in(repo, "add", str(page), "--date", "2024-05-21", "--publisher", "Bayside Gazette",
                       "--annotator", "ns-contributor"))
    path = _annotation_path(repo)
    ann = json.loads(path.read_text(encoding="utf-8"))
    assert ann["metadata"]["source_url"] is None and "notes" in ann["metadata"]
    assert ann["provenance"]["status"] == "draft"
    # 2. annotate by text; 3. fix; 4. validate.
    ann.update(boilerplate=BOILERPLATE, entities=ENTITIES, quotes=QUOTES)
    path.write_text(json.dumps(ann, ensure_ascii=False, indent=2), encoding="utf-8")
    fixed = _ok(run_in(repo, "fix", str(path.relative_to(repo))))
    validated = _ok(run_in(repo, "validate"))
    # The pull request's build while the review is pending: the draft is in no version yet.
    draft_build = _ok(run_in(repo, "build", "--out", str(tmp / "draft-dist")))
    # 5. review, cut a version, build.
    ann = json.loads(path.read_text(encoding="utf-8"))
    ann["provenance"]["status"] = "reviewed"
    ann["provenance"]["annotators"].append("ns-reviewer")
    path.write_text(format_annotation(ann), encoding="utf-8")
    released = _ok(run_in(repo, "release", "--minor"))
    built = _ok(run_in(repo, "build", "--out", str(tmp / "dist")))
    return {"repo": repo, "tmp": tmp, "doc_id": path.stem, "before": before, "added": added, "fixed": fixed,
            "validated": validated, "draft_build": draft_build, "released": released, "built": built}


def test_each_step_says_what_it_did(contributed):
    assert "add: wrote corpus/raw/" in contributed["added"].stdout
    assert "fix: 1 file, 1 rewritten, 0 refused" in contributed["fixed"].stdout
    assert "0 errors" in contributed["validated"].stdout
    left_out = next(line for line in contributed["draft_build"].stderr.splitlines() if "left out" in line)
    assert "no version records yet" in left_out and "release --minor" in left_out


def test_the_fixed_file_has_exact_offsets_and_ids(contributed):
    path = _annotation_path(contributed["repo"])
    ann = json.loads(path.read_text(encoding="utf-8"))
    raw = PAGE
    for span in ann["boilerplate"] + ann["entities"]:
        assert raw[span["start"]:span["end"]] == span["text"] and span["id"]
    assert [e["text"] for e in ann["entities"] if e["label"] == "PERSON"] == ["Maria Lopes", "Tom Pereira", "Pereira", "Ana Ruiz"]
    assert raw.index("Pereira added") == next(e["start"] for e in ann["entities"] if e["text"] == "Pereira")


def test_the_draft_build_is_the_previous_version_byte_for_byte(contributed, release):
    """The page under review changes no byte of the version that is already out."""
    tmp = contributed["tmp"]
    draft = tmp / "draft-dist" / contributed["before"]
    assert contributed["doc_id"] not in _documents(draft)
    data = lambda root: {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "data").rglob("*.parquet")}
    assert data(draft) == data(release)


def test_release_writes_the_version_the_changelog_and_the_record(contributed):
    repo = contributed["repo"]
    before = tuple(int(n) for n in contributed["before"].split("."))
    assert _version(repo) == f"{before[0]}.{before[1] + 1}.0"
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {_version(repo)} (" in changelog and contributed["doc_id"] in changelog
    assert changelog.index(f"## {_version(repo)} (") < changelog.index(f"## {contributed['before']} (")
    records = json.loads((repo / "corpus" / "released_splits.json").read_text(encoding="utf-8"))
    ann = json.loads(_annotation_path(repo).read_text(encoding="utf-8"))
    assert records[contributed["doc_id"]] == {"split": ann["split"], "version": _version(repo)}


def test_the_new_version_holds_the_page_and_passes_the_data_checks(contributed):
    repo, target = contributed["repo"], contributed["tmp"] / "dist" / _version(contributed["repo"])
    assert _documents(target)[contributed["doc_id"]] == json.loads(_annotation_path(repo).read_text(encoding="utf-8"))["split"]
    assert set(release_annotations(target, repo / "corpus")) == set(_documents(target))
    check_card_counts(target)
    check_card_label_distribution(target, repo / "corpus")
    check_every_span_comes_back(target, repo / "corpus")
    check_ner_tags_rebuild_every_entity(target, repo / "corpus")
    check_clean_text(target)
    check_no_document_crosses_splits(target)
    card = yaml.safe_load((target / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert card["newsspan"]["version"] == _version(repo)


def test_the_docs_follow_the_new_version(contributed):
    """`release` regenerated the README and DATASHEET blocks: the load example names the new version."""
    repo = contributed["repo"]
    proc = _ok(run_in(repo, "docs"))
    assert "every generated block is current" in proc.stdout
    assert f'"dist/{_version(repo)}"' in (repo / "README.md").read_text(encoding="utf-8")


def test_the_previous_version_cannot_be_rebuilt_from_the_new_corpus(contributed):
    repo, tmp = contributed["repo"], contributed["tmp"]
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace(f'version = "{_version(repo)}"', f'version = "{contributed["before"]}"'), encoding="utf-8")
    try:
        for extra in ((), ("--force",)):
            proc = run_in(repo, "build", "--out", str(tmp / "draft-dist"), *extra)
            assert proc.returncode == 1 and "a released version is built only from its own commit" in proc.stderr
    finally:
        pyproject.write_text(text, encoding="utf-8")
