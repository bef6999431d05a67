"""The validator as annotators meet it: the command line, its exit codes and its output."""
import json
import subprocess
import sys

import pytest

from conftest import REPO

VALID = "tests/fixtures/codes/VALID-minimal"


def run(*args, cwd=REPO):
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_clean_corpus_exits_0():
    code, out, _ = run("validate")
    assert code == 0 and "0 errors" in out


def test_invalid_exits_1_and_reports_file_line_col_code_hint():
    code, out, err = run("validate", "tests/fixtures/codes/NS304-text-mismatch")
    assert code == 1 and "Traceback" not in out + err
    first, hint = out.splitlines()[:2]
    path, line, col, rest = first.split(":", 3)
    assert path.endswith("annotations/doc.json") and int(line) > 0 and int(col) > 0
    assert rest.startswith(" NS304 text-mismatch")
    assert hint.strip().startswith("hint:") and '"start": 12' in hint


def test_usage_error_exits_2():
    code, _, err = run("validate", "no/such/place")
    assert code == 2 and "not a corpus folder" in err
    assert run("no-such-command")[0] == 2


def test_all_problems_at_once_across_documents(corpus_copy):
    for name in ("independent-kherson-retreat-complete", "nytimes-kherson-officials-flee"):
        path = corpus_copy / "annotations" / f"{name}.json"
        path.write_text(path.read_text().replace('"label": "ORG"', '"label": "ORGANISATION"'))
    code, out, _ = run("validate", str(corpus_copy))
    assert code == 1
    files = {line.split(":")[0] for line in out.splitlines() if " NS204 " in line}
    assert len(files) == 2


def test_json_format_is_machine_readable():
    code, out, _ = run("validate", "--format", "json", "tests/fixtures/codes/NS204-value-not-allowed")
    rows = json.loads(out)
    assert code == 1 and [r["code"] for r in rows] == ["NS204"]
    assert set(rows[0]) >= {"code", "name", "path", "line", "col", "message", "hint", "level"}


def test_github_format_is_workflow_commands():
    code, out, _ = run("validate", "--format", "github", "tests/fixtures/codes/NS204-value-not-allowed")
    assert code == 1
    assert out.startswith("::error file=tests/fixtures/codes/NS204-value-not-allowed/annotations/doc.json,line=")
    assert "title=NS204 value-not-allowed::" in out and "%0Ahint: " in out


def test_single_file_path_limits_the_report(corpus_copy):
    bad = corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json"
    bad.write_text(bad.read_text().replace('"split": "test"', '"split": "tset"'))
    other = corpus_copy / "annotations" / "independent-kherson-retreat-complete.json"
    assert run("validate", str(other))[0] == 0
    assert run("validate", str(bad))[0] == 1


CORRUPTIONS = {
    # name: (transform of the annotation text, expected code, text the hint must contain)
    "wrong offset": (lambda t: t.replace('"start": 0, "end": 7, "label": "NORP"', '"start": 1, "end": 8, "label": "NORP"', 1), "NS304", '"start": 0'),
    "bad label": (lambda t: t.replace('"label": "PERSON"', '"label": "person"', 1), "NS204", '"PERSON"'),
    "stale raw hash": (lambda t: t.replace('"raw_sha256": "d5', '"raw_sha256": "e5', 1), "NS301", "raw_sha256"),
    "broken JSON": (lambda t: t.replace('"split": "test",', '"split": "test"', 1), "NS107", "syntax"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupted_real_annotation_is_located(corpus_copy, name):
    transform, expected, hint_part = CORRUPTIONS[name]
    path = corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json"
    before = path.read_text()
    after = transform(before)
    assert after != before
    path.write_text(after)
    code, out, err = run("validate", str(corpus_copy))
    assert code == 1 and "Traceback" not in out + err
    first, hint = out.splitlines()[:2]
    assert f" {expected} " in first and "nytimes-kherson-officials-flee.json:" in first
    line_no = int(first.split(".json:")[1].split(":")[0])
    changed = [i + 1 for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines())) if a != b]
    if expected != "NS301":  # the hash line itself is what changed there too
        assert line_no in changed or expected == "NS107" and abs(line_no - changed[0]) <= 1
    else:
        assert line_no in changed
    assert hint_part in hint


def test_garbage_never_gives_a_traceback(corpus_copy):
    junk = {"a.json": b"\x00\xff\xfe garbage", "b.json": b"[]", "c.json": b'{"doc_id": 5}', "d.json": b"null"}
    for name, data in junk.items():
        (corpus_copy / "annotations" / name).write_bytes(data)
        (corpus_copy / "raw" / name.replace(".json", ".txt")).write_text("text\n")
    code, out, err = run("validate", str(corpus_copy))
    assert code == 1 and "Traceback" not in out + err
    assert {l.split(":")[0].rsplit("/", 1)[1] for l in out.splitlines() if l.startswith(str(corpus_copy)) or ".json:" in l} >= set(junk)
