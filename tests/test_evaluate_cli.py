"""`evaluate` on the real corpus: the gold oracle scores 1, keep-everything leaks everything, and
users meet located errors (file:line:col), never tracebacks."""
import json
import shutil
import subprocess
import sys

import pytest

from conftest import CORPUS, REPO
from newsspan.derive import clean_text, ner_rows
from newsspan.evaluate import evaluate_spans, evaluate_texts
from newsspan.evaluate.gold import release_gold
from newsspan.features import NER_TAGS
from newsspan.records import BOILERPLATE_LABELS
from newsspan.validate import validate_corpus

DOCS = validate_corpus(CORPUS).documents
TEST = sorted((d for d in DOCS.values() if d.split == "test"), key=lambda d: d.doc_id)
TRAIN_ID = next(d.doc_id for d in DOCS.values() if d.split == "train")


def run(*args, cwd=REPO):
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "evaluate", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


# -- the gold oracle and keep-everything on the real corpus ----------------------------------

def test_gold_oracle_scores_exactly_one():
    docs = list(DOCS.values())
    result = evaluate_texts({d.doc_id: clean_text(d) for d in docs}, docs, resamples=0)
    for score in result.documents:
        assert score.spans["char/content"].f1 == 1.0 and score.spans["token/content"].f1 == 1.0, score.doc_id
        assert score.aeb.f1 == 1.0 and score.aeb_exact and score.unaligned_chars == 0
    for average in ("micro", "macro"):
        for key in ("char/content", "token/content", "char/boilerplate", "token/boilerplate"):
            assert result.overall.spans[key][average].f1.value == 1.0
    aeb = result.overall.aeb
    assert (aeb.precision.value, aeb.recall.value, aeb.f1.value) == (1.0, 1.0, 1.0)


def test_gold_spans_oracle_scores_exactly_one():
    def content_spans(doc):
        cuts = [0] + [x for s in sorted(doc.boilerplate, key=lambda s: s.start) for x in (s.start, s.end)] + [len(doc.raw_text)]
        return [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    docs = list(DOCS.values())
    result = evaluate_spans({d.doc_id: content_spans(d) for d in docs}, docs, resamples=0)
    assert all(s.spans["char/content"].f1 == 1.0 and s.spans["char/boilerplate"].f1 == 1.0 for s in result.documents)
    assert result.overall.aeb.f1.value == 1.0


def test_keep_everything_removes_no_boilerplate_and_leaks_every_label():
    docs = list(DOCS.values())
    result = evaluate_texts({d.doc_id: d.raw_text for d in docs}, docs, resamples=0)
    gold_chars = {label: sum(1 for d in docs for s in d.boilerplate if s.label == label for ch in s.text if not ch.isspace())
                  for label in BOILERPLATE_LABELS}
    assert result.overall.gold_chars == gold_chars
    for label, count in gold_chars.items():
        assert result.overall.leakage[label].value == (1.0 if count else None), label
    assert all(s.spans["char/boilerplate"].recall == 0.0 for s in result.documents)
    assert result.overall.spans["char/boilerplate"]["micro"].recall.value == 0.0
    assert result.overall.spans["token/content"]["micro"].recall.value == 1.0


# -- the command -----------------------------------------------------------------------------

def test_cli_oracle_json_is_deterministic(tmp_path):
    pred = write(tmp_path / "pred.jsonl", [{"id": d.doc_id, "text": clean_text(d)} for d in TEST])
    first, second = run("--predictions", str(pred), "--format", "json"), run("--predictions", str(pred), "--format", "json")
    assert first[0] == 0 and first[1] == second[1]
    report = json.loads(first[1])
    assert report["splits"] == ["test"] and report["overall"]["documents"] == len(TEST)
    assert report["overall"]["spans"]["char/content"]["micro"]["f1"]["value"] == 1.0
    assert report["overall"]["aeb"]["f1"]["value"] == 1.0 and report["missing"] == []


def test_cli_markdown_report(tmp_path):
    pred = write(tmp_path / "pred.jsonl", [{"id": d.doc_id, "text": d.raw_text} for d in TEST])
    code, out, _ = run("--predictions", str(pred))
    assert code == 0 and out.startswith("# Boilerplate removal: evaluation")
    assert "| characters | boilerplate | micro | n/a | 0.000 [0.000, 0.000] |" in out
    assert "| appeal |" in out and "## By publisher" in out


def test_cli_missing_document_is_scored_empty_and_reported(tmp_path):
    pred = write(tmp_path / "pred.jsonl", [{"id": TEST[0].doc_id, "text": clean_text(TEST[0])}])
    code, out, err = run("--predictions", str(pred))
    assert code == 0
    assert f"Without a prediction (scored as empty output): {TEST[1].doc_id}." in out
    assert "warning: 1 without a prediction" in err


def test_cli_bad_line_is_located_and_nothing_is_scored(tmp_path):
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes(json.dumps({"id": TEST[0].doc_id, "text": "x"}).encode() + b"\n{\"id\": \"a\", \"text\"\n"
                     + b'{"id": "' + TEST[1].doc_id.encode() + b'", "text": "\xff"}\n')
    code, out, err = run("--predictions", "pred.jsonl", cwd=tmp_path)
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert lines[0].startswith("pred.jsonl:2:") and "invalid JSON" in lines[0]
    assert lines[1].strip().startswith("hint:")
    assert lines[2].startswith("pred.jsonl:3:") and "not UTF-8" in lines[2]
    assert lines[-1] == "evaluate: 2 problems in pred.jsonl; nothing was scored"


def test_cli_unknown_and_duplicate_ids(tmp_path):
    rows = [{"id": TEST[0].doc_id, "text": "x"}, {"id": "no-such-doc", "text": "x"},
            {"id": TEST[0].doc_id, "text": "y"}, {"id": TRAIN_ID, "text": "x"}]
    code, _, err = run("--predictions", str(write(tmp_path / "pred.jsonl", rows)))
    assert code == 1 and "Traceback" not in err
    assert ":2:1: unknown document id 'no-such-doc' in the test split" in err
    assert f":3:1: duplicate id '{TEST[0].doc_id}' (first given on line 1)" in err
    assert f":4:1: unknown document id '{TRAIN_ID}'" in err and "pass --split train" in err
    assert "it is from a train document" in err


@pytest.mark.parametrize("row, message", [
    ({"text": "x"}, 'no "id" string'),
    ({"id": "ID", "text": 3}, '"text" is a JSON int, not a string'),
    ({"id": "ID", "spans": [[5, 2]]}, "is empty or outside the raw text"),
    ({"id": "ID", "spans": [[0, True]]}, "integer offsets"),
    ({"id": "ID"}, 'exactly one of "text" and "spans"'),
])
def test_cli_bad_fields(tmp_path, row, message):
    row = {k: (TEST[0].doc_id if v == "ID" else v) for k, v in row.items()}
    code, _, err = run("--predictions", str(write(tmp_path / "pred.jsonl", [row])))
    assert code == 1 and ":1:1: " in err and message in err


def test_cli_usage_errors(tmp_path):
    code, _, err = run("--predictions", str(tmp_path / "none.jsonl"))
    assert code == 2 and "no such file" in err
    code, _, err = run("--predictions", str(write(tmp_path / "p.jsonl", [])), "--release", str(tmp_path / "nothing"))
    assert code == 2 and "no such folder" in err


def test_cli_refuses_an_invalid_corpus(tmp_path, corpus_copy):
    bad = corpus_copy / "annotations" / f"{TEST[0].doc_id}.json"
    bad.write_text(bad.read_text().replace('"split": "test"', '"split": "tset"'))
    code, _, err = run("--predictions", str(write(tmp_path / "p.jsonl", [])), "--corpus", str(corpus_copy))
    assert code == 1 and "validation errors" in err and "Traceback" not in err


# -- gold from a release ---------------------------------------------------------------------

def test_release_gold_equals_corpus_gold(release):
    gold = release_gold(release, "test")
    assert list(gold.documents) == [d.doc_id for d in TEST]
    for doc in TEST:
        mine = gold.documents[doc.doc_id]
        assert (mine.raw_text, mine.boilerplate, mine.entities, mine.quotes) == (doc.raw_text, doc.boilerplate, doc.entities, doc.quotes)
    assert {r.id: r.tags for r in gold.ner.values()} == {
        row["id"]: tuple(NER_TAGS[t] for t in row["ner_tags"]) for d in TEST for row in ner_rows(d)}


def test_cli_release_gives_the_corpus_result(release, tmp_path):
    pred = write(tmp_path / "pred.jsonl", [{"id": d.doc_id, "text": d.raw_text[: len(d.raw_text) // 2]} for d in TEST])
    from_corpus = run("--predictions", str(pred), "--format", "json")
    from_release = run("--predictions", str(pred), "--format", "json", "--release", str(release))
    assert from_corpus[0] == from_release[0] == 0 and from_corpus[1] == from_release[1]


def test_cli_refuses_a_changed_release(release, tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    data = next((copy / "data" / "documents").glob("test-*.parquet"))
    data.write_bytes(data.read_bytes() + b"\0")
    code, _, err = run("--predictions", str(write(tmp_path / "p.jsonl", [])), "--release", str(copy))
    assert code == 1 and "sha256 differs from MANIFEST.json" in err


# -- NER and quotes --------------------------------------------------------------------------

def test_cli_ner_gold_mentions_and_tags_score_one(tmp_path):
    rows = [{"id": d.doc_id, "entities": [[e.start, e.end, e.label] for e in d.entities]} for d in TEST]
    rows += [{"id": r["id"], "ner_tags": [NER_TAGS[t] for t in r["ner_tags"]]} for d in TEST for r in ner_rows(d)]
    code, out, _ = run("--task", "ner", "--predictions", str(write(tmp_path / "p.jsonl", rows)), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["mentions"]["exact"]["ALL"]["f1"] == 1.0 and report["bio"]["ALL"]["f1"] == 1.0
    assert report["mentions"]["exact"]["ALL"]["gold"] == sum(len(d.entities) for d in TEST)


def test_cli_ner_errors(tmp_path):
    row_id = f"{TEST[0].doc_id}/0"
    rows = [{"id": row_id, "ner_tags": ["O"]}, {"id": TEST[0].doc_id, "entities": [[0, 3, "PER"]]}]
    code, _, err = run("--task", "ner", "--predictions", str(write(tmp_path / "p.jsonl", rows)))
    assert code == 1
    assert ':1:1: "ner_tags": 1 tags for the row\'s' in err
    assert ":2:1: \"entities\" has the unknown label 'PER'" in err


def test_cli_quotes_gold_scores_one(tmp_path):
    def speaker(doc, quote):
        names = {e.id: e.text for e in doc.entities}
        return names[quote.speaker_entity] if quote.speaker_entity else quote.speaker_span.text if quote.speaker_span else None
    rows = [{"id": d.doc_id, "quotes": [{"content": [[s.start, s.end] for s in q.content], "speaker": speaker(d, q)}
                                        for q in d.quotes]} for d in TEST]
    code, out, _ = run("--task", "quotes", "--predictions", str(write(tmp_path / "p.jsonl", rows)), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["quotes"]["f1"] == 1.0 and report["exact"]["f1"] == 1.0
    assert report["speaker"]["accuracy"] == 1.0 and report["quotes"]["gold"] == sum(len(d.quotes) for d in TEST)
