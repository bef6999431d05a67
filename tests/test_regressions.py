"""One test per small defect found by trying the contribution path as a new annotator would.
Each failed before its fix."""
import json
import re
import subprocess

import pytest

from conftest import FIXTURES, REPO
from test_workflow_cli import run
from test_workflow_diff import GIT

PAGE = "A page with no URL\nThe council met on Monday and agreed the budget.\n"


def _cli(*args) -> subprocess.CompletedProcess:
    """The command line as a subprocess: `validate` prints to the stdout it was imported with."""
    import sys
    return subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _page(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


# -- add -------------------------------------------------------------------------------------------

def test_add_without_url_writes_null_and_a_notes_field(tmp_path, corpus_copy):
    code, out, err = run("add", _page(tmp_path), "--publisher", "Example Courier", "--notes", "Capture from a print edition.",
                         "--corpus", corpus_copy)
    assert code == 0, err
    (path,) = [p for p in (corpus_copy / "annotations").glob("*.json") if "page-with-no-url" in p.name or "example" in p.name]
    metadata = json.loads(path.read_text(encoding="utf-8"))["metadata"]
    assert metadata["source_url"] is None and metadata["publisher"] == "Example Courier"
    assert metadata["notes"] == "Capture from a print edition."


def test_add_writes_an_empty_notes_field_to_fill_in(tmp_path, corpus_copy):
    code, _, err = run("add", _page(tmp_path), "--url", "https://www.courier.example/a", "--corpus", corpus_copy)
    assert code == 0, err
    (path,) = [p for p in (corpus_copy / "annotations").glob("courier-*.json")]
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"]["notes"] == ""


def test_add_without_url_or_publisher_is_a_usage_error(tmp_path, corpus_copy):
    code, _, err = run("add", _page(tmp_path), "--corpus", corpus_copy)
    assert code == 2 and "give --publisher" in err
    assert sorted(p.name for p in (corpus_copy / "raw").iterdir()) == sorted(p.name for p in (REPO / "corpus" / "raw").iterdir()
                                                                           if p.name.split(".")[0] in {q.stem for q in (corpus_copy / "annotations").glob("*.json")})


# -- messages --------------------------------------------------------------------------------------

def test_counts_have_their_noun_in_the_right_number(tmp_path):
    one = _cli("validate", FIXTURES / "codes" / "NS204-value-not-allowed")
    assert one.returncode == 1 and "validate: 1 document, 1 error, 0 warnings" in one.stdout
    code, out, _ = run("render", "--out", tmp_path / "site", "--corpus", FIXTURES / "codes" / "VALID-minimal")
    assert code == 0 and "wrote 1 document page;" in out
    code, out, _ = run("fmt", "--check", FIXTURES / "codes" / "VALID-minimal" / "annotations" / "doc.json")
    assert "fmt: 1 file," in out


def test_a_json_syntax_error_message_is_a_whole_sentence(tmp_path):
    from newsspan.read import read_json

    path = tmp_path / "doc.json"
    path.write_text('{"doc_id": "x', encoding="utf-8")
    _, problems = read_json(path)
    (problem,) = problems
    assert problem.code == "NS107"
    assert not problem.message.endswith(" at") and "starting at line 1, column 12" in problem.message


def test_an_empty_predictions_file_is_an_error_not_a_score_of_zero(tmp_path):
    for content in ("", "\n\n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(content, encoding="utf-8")
        code, out, err = run("evaluate", "--predictions", path)
        assert code == 1 and out == ""
        assert re.search(r"empty\.jsonl:1:1: the file holds no predictions", err) and "hint:" in err


def test_the_raw_file_hint_names_the_path_from_here(corpus_copy):
    """Regression: the hint said `raw/<id>.txt`, a path that exists nowhere from the repository root."""
    doc = "nytimes-kherson-officials-flee"
    (corpus_copy / "raw" / f"{doc}.txt").unlink()
    proc = _cli("validate", corpus_copy)
    hint = next(line for line in proc.stdout.splitlines() if "hint:" in line and doc in line)
    assert proc.returncode == 1 and f"add {corpus_copy.as_posix()}/raw/{doc}.txt" in hint
    proc = _cli("validate", "tests/fixtures/codes/NS101-annotation-without-raw")
    assert "add tests/fixtures/codes/NS101-annotation-without-raw/raw/doc.txt" in proc.stdout


def test_options_are_never_abbreviated():
    from newsspan.cli import _parser
    from newsspan.commands import command_modules

    code, _, err = run("evaluate", "--prediction", "x.jsonl")
    assert code == 2 and "--prediction" in err
    pending = [_parser(command_modules())]
    while pending:
        parser = pending.pop()
        assert parser.allow_abbrev is False, parser.prog
        for action in parser._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                pending += [p for p in action.choices.values() if hasattr(p, "allow_abbrev")]


def test_diff_says_when_annotation_changes_are_not_committed(tmp_path):
    repo = tmp_path / "repo"
    (repo / "corpus" / "annotations").mkdir(parents=True)
    (repo / "corpus" / "annotations" / "doc.json").write_text("{}\n", encoding="utf-8")
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True, capture_output=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True, capture_output=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "one"], cwd=repo, check=True, capture_output=True)
    code, out, err = run("diff", "HEAD", "HEAD", cwd=repo)
    assert code == 0 and "No annotation changes" in out and err == ""
    (repo / "corpus" / "annotations" / "doc.json").write_text('{"changed": true}\n', encoding="utf-8")
    (repo / "corpus" / "annotations" / "new.json").write_text("{}\n", encoding="utf-8")
    code, out, err = run("diff", "HEAD", "HEAD", cwd=repo)
    assert code == 0 and "No annotation changes" in out
    assert "2 annotation files changed but not committed" in err and "corpus/annotations/new.json" in err and "commit them" in err


def test_the_guidelines_version_table_lists_every_decision():
    text = (REPO / "corpus" / "GUIDELINES.md").read_text(encoding="utf-8")
    highest = max(int(n) for n in re.findall(r"^- \*\*D(\d+)\*\*", text, re.M))
    ranges = re.findall(r"decisions D1-D(\d+)", text)
    assert ranges and max(int(n) for n in ranges) == highest


@pytest.mark.parametrize("command", ["docs"])
def test_docs_runs(command, repo_copy):
    """Regression: `docs` crashed with NameError: DERIVERS."""
    from conftest import run_in

    proc = run_in(repo_copy, command)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
