"""`add`: a new page enters the corpus byte-exact, with a free id, a stable split and its near-duplicates."""
import hashlib
import json
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES
from test_workflow_cli import run
from newsspan.validate import validate_corpus
from newsspan.workflow import add as add_module
from newsspan.workflow.add import Page, Refused, add_page, raw_format
from newsspan.workflow.placement import split_for
from newsspan.workflow.slug import propose_id, publisher_part, topic_part

ARTICLE = FIXTURES / "workflow" / "harbour-gazette.txt"
ARTICLE_ID = "harbourgazette-2024-05-06-harbour-bridge-reopens-storm"
MT = "moscowtimes-2022-11-03-kherson-flag"



def add_article(corpus: Path, *extra):
    return run("add", str(ARTICLE), "--url", "https://www.harbourgazette.example/2024/05/06/bridge",
               "--date", "2024-05-06", "--title", "Harbour Bridge Reopens After Storm Repairs",
               "--annotator", "tester", "--corpus", str(corpus), *extra)


def _annotation(corpus: Path, doc_id: str) -> dict:
    return json.loads((corpus / "annotations" / f"{doc_id}.json").read_text(encoding="utf-8"))


def _changed_capture(source: str, tmp_path: Path) -> Path:
    """A new capture of a corpus page: a few lines changed, as a re-scrape would give."""
    lines = (CORPUS / "raw" / source).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = "Please support our newsroom today.\n"
    lines = [line for line in lines if line.strip() != "Read more"] + ["Most read: Kherson residents leave by ferry\n"]
    path = tmp_path / "capture.txt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_add_copies_bytes_and_writes_a_valid_skeleton(corpus_copy):
    code, out, err = add_article(corpus_copy)
    assert code == 0, err
    raw = corpus_copy / "raw" / f"{ARTICLE_ID}.txt"
    assert raw.read_bytes() == ARTICLE.read_bytes()
    doc = _annotation(corpus_copy, ARTICLE_ID)
    assert doc["metadata"]["raw_sha256"] == hashlib.sha256(ARTICLE.read_bytes()).hexdigest()
    assert doc["metadata"]["raw_format"] == "text" and doc["metadata"]["published_date"] == "2024-05-06"
    assert doc["metadata"]["publisher"] == "harbourgazette.example"
    assert doc["provenance"] == {"annotators": ["tester"], "status": "draft", "guidelines_version": "1.1"}  # the newest version in GUIDELINES.md
    assert doc["boilerplate"] == doc["entities"] == doc["quotes"] == []
    # sha256 of the id starts 6b97e09dccfd176d; that integer mod 100 is 73: train (0-79).
    assert doc["split"] == "train" and doc["near_duplicate_group"] is None
    assert validate_corpus(corpus_copy).ok


def test_add_then_annotate_by_text_then_fix_validates_clean(corpus_copy):
    assert add_article(corpus_copy)[0] == 0
    path = corpus_copy / "annotations" / f"{ARTICLE_ID}.json"
    raw = ARTICLE.read_text(encoding="utf-8")
    doc = json.loads(path.read_text(encoding="utf-8"))
    pereira_again = raw.index("Pereira thanked")
    doc["boilerplate"] = [
        {"label": "appeal", "text": "Subscribe to the Harbour Gazette for $1!"},
        {"label": "metadata", "text": "By Maria Lopes"},
        {"label": "related", "text": "Read more: Storm season ends early"},
    ]
    doc["entities"] = [
        {"label": "ORG", "text": "Harbour Gazette"},
        {"label": "FAC", "text": "Harbour Bridge", "occurrence": 1},
        {"label": "FAC", "text": "Harbour Bridge", "occurrence": 2},
        {"label": "PERSON", "text": "Maria Lopes"},
        {"label": "GPE", "text": "Porto Novo", "occurrence": 1},
        {"id": "e1", "label": "PERSON", "text": "João Pereira"},
        {"label": "ORG", "text": "Atlas Construction"},
        {"label": "PERSON", "text": "Pereira", "start": pereira_again - 3},
        {"label": "GPE", "text": "Porto Novo", "occurrence": 2},
        {"label": "GPE", "text": "Lisbon"},
    ]
    doc["quotes"] = [
        {"type": "indirect", "content": [{"text": "The Harbour Bridge in Porto Novo reopened on Monday after three weeks of repairs"}],
         "speaker": {"span": {"text": "the city council"}}, "cue": {"text": "said", "occurrence": 1}},
        {"type": "direct", "content": [{"text": "Traffic will flow normally from today,"}],
         "speaker": {"entity": "e1"}, "cue": {"text": "said", "occurrence": 2}},
    ]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    assert {i.code for i in validate_corpus(corpus_copy).incidents} == {"NS306", "NS309"}

    code, out, err = run("fix", str(path))
    assert code == 0, out + err
    assert run("validate", str(corpus_copy))[0] == 0

    fixed = _annotation(corpus_copy, ARTICLE_ID)
    by_id = {e["id"]: e for e in fixed["entities"]}
    # Hand-checked: e1 was given; the others are numbered e2.. in text order.
    expected = [("e2", "Harbour Gazette"), ("e3", "Harbour Bridge"), ("e4", "Maria Lopes"), ("e5", "Harbour Bridge"),
                ("e6", "Porto Novo"), ("e1", "João Pereira"), ("e7", "Atlas Construction"), ("e8", "Pereira"),
                ("e9", "Porto Novo"), ("e10", "Lisbon")]
    assert [(e["id"], e["text"]) for e in fixed["entities"]] == expected
    second = raw.index("Harbour Bridge", raw.index("Harbour Bridge") + 1)
    assert (by_id["e5"]["start"], by_id["e5"]["end"]) == (second, second + len("Harbour Bridge"))
    assert by_id["e8"]["start"] == pereira_again
    assert by_id["e9"]["start"] == raw.rindex("Porto Novo")
    said = [i for i in range(len(raw)) if raw.startswith("said", i)]
    assert [q["cue"]["start"] for q in fixed["quotes"]] == said
    assert [q["id"] for q in fixed["quotes"]] == ["q1", "q2"]
    assert fixed["quotes"][0]["speaker"]["span"]["start"] == raw.index("the city council")
    assert all("occurrence" not in json.dumps(fixed[layer]) for layer in ("boilerplate", "entities", "quotes"))


def test_third_moscow_times_capture_joins_the_group_and_its_split(corpus_copy, tmp_path):
    members = {p: p.read_bytes() for p in (corpus_copy / "annotations").glob("moscowtimes-*.json")}
    capture = _changed_capture("moscowtimes-2022-11-03-kherson-flag-capture1.txt", tmp_path)
    code, out, err = run("add", str(capture), "--url", "https://www.themoscowtimes.com/2022/11/03/a79282",
                         "--id", "moscowtimes-2022-11-03-kherson-flag-capture3", "--corpus", str(corpus_copy))
    assert code == 0, err
    doc = _annotation(corpus_copy, "moscowtimes-2022-11-03-kherson-flag-capture3")
    # Its own hash bucket (14) would say train too, so the group is what is checked here.
    assert doc["near_duplicate_group"] == MT and doc["split"] == "train"
    assert {p: p.read_bytes() for p in members} == members  # members already had the group: untouched
    assert f"group '{MT}'" in out
    assert validate_corpus(corpus_copy).ok


def test_near_duplicate_of_an_ungrouped_document_creates_the_group_on_both(corpus_copy, tmp_path):
    capture = _changed_capture("nytimes-kherson-officials-flee.txt", tmp_path)
    before = (corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json").read_text(encoding="utf-8")
    code, out, err = run("add", str(capture), "--url", "https://www.nytimes.com/2022/11/03/world/europe/x.html",
                         "--id", "doc-1", "--corpus", str(corpus_copy))
    assert code == 0, err
    new, old = _annotation(corpus_copy, "doc-1"), _annotation(corpus_copy, "nytimes-kherson-officials-flee")
    # doc-1 alone would hash to train (bucket 1); the group's split, test, wins.
    assert new["near_duplicate_group"] == old["near_duplicate_group"] == "nytimes-kherson-officials-flee"
    assert new["split"] == old["split"] == "test"
    after = (corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [('  "near_duplicate_group": null,', '  "near_duplicate_group": "nytimes-kherson-officials-flee",')]
    assert validate_corpus(corpus_copy).ok


def test_exact_duplicate_is_refused_and_nothing_written(corpus_copy):
    listing = sorted(p.name for p in corpus_copy.rglob("*"))
    code, out, err = run("add", str(CORPUS / "raw" / "independent-kherson-retreat-complete.txt"),
                         "--url", "https://www.independent.co.uk/x", "--corpus", str(corpus_copy))
    assert code == 1 and "independent-kherson-retreat-complete" in err and "Traceback" not in err
    assert sorted(p.name for p in corpus_copy.rglob("*")) == listing


def test_used_and_released_ids_are_never_reused(corpus_copy):
    assert add_article(corpus_copy, "--id", "nytimes-kherson-officials-flee")[0] == 1
    released = corpus_copy / "released_splits.json"
    splits = json.loads(released.read_text())
    splits["retired-doc"] = {"split": "train", "version": "0.1.0"}
    released.write_text(json.dumps(splits))
    code, _, err = add_article(corpus_copy, "--id", "retired-doc")
    assert code == 1 and "never reused" in err
    assert not (corpus_copy / "raw" / "retired-doc.txt").exists()


def test_bad_arguments_are_usage_errors(corpus_copy):
    assert add_article(corpus_copy, "--date", "06/05/2024")[0] == 2
    assert add_article(corpus_copy, "--id", "Not A Slug")[0] == 2
    code, _, err = run("add", "no/such/file.txt", "--url", "https://x.example/", "--corpus", str(corpus_copy))
    assert code == 2 and "no such file" in err


def test_a_failing_validation_undoes_everything(corpus_copy, monkeypatch):
    listing = sorted(p.as_posix() for p in corpus_copy.rglob("*"))
    monkeypatch.setattr(add_module, "latest_guidelines", lambda: "9.9")
    with pytest.raises(Refused, match="NS408"):
        add_page(Page(ARTICLE, "https://www.harbourgazette.example/a"), corpus_copy)
    assert sorted(p.as_posix() for p in corpus_copy.rglob("*")) == listing


def test_split_rule_buckets():
    # First 8 bytes of sha256 as an integer, mod 100: doc-1 -> 1, doc-10 -> 81, doc-14 -> 96
    # (sha256 prefixes 1ed361e2e4d190b5 for doc-10 and 485eae1fb4d27f58 for doc-14).
    assert [split_for(i) for i in ("doc-1", "doc-10", "doc-14")] == ["train", "validation", "test"]


def test_proposed_ids():
    assert publisher_part("https://www.nytimes.com/2022/11/03/x.html", None) == "nytimes"
    assert publisher_part("https://www.independent.co.uk/news/x", None) == "independent"
    assert publisher_part("https://amp.elespanol.com/x", None) == "elespanol"
    assert topic_part("Russian Flag Disappears from Kherson Administration") == "russian-flag-disappears-kherson"
    taken = {"nytimes-2022-11-03-kherson-officials-flee"}
    assert propose_id("https://www.nytimes.com/x", None, "2022-11-03", "Kherson Officials Flee", taken) == \
        "nytimes-2022-11-03-kherson-officials-flee-2"
    assert propose_id("https://host.example/x", "Le Monde", None, "É" * 10 + " word " * 30, set()) == "host-eeeeeeeeee-word-word-word"
    long_id = propose_id("https://a.example/", None, None, " ".join(f"w{n:02d}xxxxxxxxxxxxxxx" for n in range(4)), set())
    assert len(long_id) <= 80 and not long_id.endswith("-")


def test_raw_format_detection():
    assert raw_format(Path("a.txt"), "plain\ntext [not a link]\n") == "text"
    assert raw_format(Path("a.txt"), "# Headline\nbody") == "markdown"
    assert raw_format(Path("a.txt"), "he [said](#) so") == "markdown"
    assert raw_format(Path("a.md"), "plain") == "markdown"
    assert raw_format(Path("a.txt"), "#hashtag only") == "text"


def test_markdown_page_gets_md_extension(corpus_copy, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("# Harbour news\n\nThe ferry [returned](#) to Porto Novo on Friday morning.\n", encoding="utf-8")
    added = add_page(Page(page, "https://www.harbourgazette.example/ferry"), corpus_copy)
    assert added.raw.name == "harbourgazette-harbour-news.md"
    assert _annotation(corpus_copy, "harbourgazette-harbour-news")["metadata"]["title"] == "Harbour news"
