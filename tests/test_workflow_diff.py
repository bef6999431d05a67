"""`diff REV_A REV_B`: span changes between two commits of a corpus, as Markdown for a pull request."""
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES
from test_workflow_cli import run
from newsspan.workflow.diff import Unit, compare

DIFF = FIXTURES / "workflow" / "diff"
GIT = ["git", "-c", "user.name=NewsSpan test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]



def _commit(repo: Path, corpus: Path, source: Path, message: str) -> None:
    if corpus.exists():
        shutil.rmtree(corpus)
    shutil.copytree(source, corpus)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True, capture_output=True)
    subprocess.run([*GIT, "commit", "-q", "-m", message], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git repository whose corpus/ holds the `before` fixture, then the `after` one."""
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True, capture_output=True)
    _commit(tmp_path, tmp_path / "corpus", DIFF / "before", "before")
    _commit(tmp_path, tmp_path / "corpus", DIFF / "after", "after")
    return tmp_path


# Written by hand from the two fixtures: b1 deleted; e1 PERSON -> ORG; e2 "Bide" [25, 29) widened to
# "Biden" [25, 30); "Kyiv" added; q1's speaker changed from the span "He" to the entity Zelensky;
# status draft -> reviewed; document "other" added with one entity.
EXPECTED = """### NewsSpan annotation changes: `HEAD~1` → `HEAD`

Documents: 1 changed, 1 added.

#### `doc`

- provenance.status: `draft` → `reviewed`

**boilerplate**: 1 removed

| change | offsets | label | text |
|---|---|---|---|
| removed | [0, 11) | appeal | `Support us!` |

**entities**: 1 added, 1 relabelled, 1 moved

| change | offsets | label | text |
|---|---|---|---|
| relabelled | [12, 20) | PERSON → ORG | `Zelensky` |
| moved | [25, 29) → [25, 30) | PERSON | `Bide` → `Biden` |
| added | [34, 38) | GPE | `Kyiv` |

**quotes**: 1 changed

| change | offsets | label | text |
|---|---|---|---|
| changed | [50, 62) | direct | `We will win.`: `speaker He [40, 42); cue said [43, 47)` → `speaker Zelensky [12, 20); cue said [43, 47)` |

#### `other` (added)

0 boilerplate, 1 entities, 0 quotes.
"""


def test_diff_between_two_commits(repo):
    code, out, err = run("diff", "HEAD~1", "HEAD", cwd=repo)
    assert code == 0, err
    assert out == EXPECTED


def test_diff_backwards_reports_the_inverse(repo):
    code, out, _ = run("diff", "HEAD", "HEAD~1", cwd=repo)
    assert code == 0
    assert "#### `other` (removed)" in out and "| added | [0, 11) | appeal | `Support us!` |" in out
    assert "| relabelled | [12, 20) | ORG → PERSON | `Zelensky` |" in out
    assert "| moved | [25, 30) → [25, 29) | PERSON | `Biden` → `Bide` |" in out
    assert "| removed | [34, 38) | GPE | `Kyiv` |" in out


def test_same_revision_has_no_changes(repo):
    code, out, _ = run("diff", "HEAD", "HEAD", cwd=repo)
    assert code == 0 and out.endswith("No annotation changes.\n")


def test_corpus_path_option_and_subfolder(tmp_path):
    subprocess.run([*GIT, "init", "-q"], cwd=tmp_path, check=True, capture_output=True)
    _commit(tmp_path, tmp_path / "data" / "set", DIFF / "before", "before")
    _commit(tmp_path, tmp_path / "data" / "set", DIFF / "after", "after")
    assert "No annotation changes" in run("diff", "HEAD~1", "HEAD", cwd=tmp_path)[1]
    code, out, _ = run("diff", "HEAD~1", "HEAD", "--corpus-path", "data/set", cwd=tmp_path)
    assert code == 0 and "#### `other` (added)" in out


def test_unknown_revision_and_no_repository_are_usage_errors(repo, tmp_path_factory):
    code, _, err = run("diff", "no-such-branch", "HEAD", cwd=repo)
    assert code == 2 and "unknown revision 'no-such-branch'" in err and "Traceback" not in err
    code, _, err = run("diff", "--", "-x", "HEAD", cwd=repo)
    assert code == 2 and "not a revision" in err
    outside = tmp_path_factory.mktemp("plain")
    code, _, err = run("diff", "HEAD~1", "HEAD", cwd=outside)
    assert code == 2 and "not inside a git repository" in err


def test_broken_json_at_a_revision_is_reported_not_raised(repo):
    (repo / "corpus" / "annotations" / "doc.json").write_text("{ broken", encoding="utf-8")
    subprocess.run([*GIT, "commit", "-q", "-am", "broken"], cwd=repo, check=True, capture_output=True)
    code, out, err = run("diff", "HEAD~1", "HEAD", cwd=repo)
    assert code == 0 and "Traceback" not in err
    assert "#### `doc` (unreadable)" in out and "not valid UTF-8 JSON" in out


def test_files_that_name_no_document_or_are_too_large_are_not_read(repo, monkeypatch):
    from newsspan import read
    from newsspan.workflow import revisions

    folder = repo / "corpus" / "annotations"
    (folder / "Evil\x1b[31m.json").write_text("{}", encoding="utf-8")
    (folder / "big.json").write_text('{"doc_id": "big"}' + " " * 5000, encoding="utf-8")
    import os
    with open(os.fsencode(folder) + b"/caf\xff.json", "wb") as handle:  # a name that is not UTF-8
        handle.write(b"{}")
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True, capture_output=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "odd names"], cwd=repo, check=True, capture_output=True)
    shown = []
    real = revisions._git
    monkeypatch.setattr(revisions, "_git", lambda args, cwd: shown.append(args) or real(args, cwd))
    monkeypatch.setattr(revisions, "MAX_JSON_BYTES", 1000)
    found = revisions.annotations_at("HEAD", "corpus", repo)
    assert found["caf\ufffd"].startswith("not a document name")
    assert found["Evil\x1b[31m"].startswith("not a document name") and "bytes, over the 1000-byte limit" in found["big"]
    assert not any("Evil" in " ".join(a) or "big.json" in " ".join(a) for a in shown if a[0] == "show")
    assert read.MAX_JSON_BYTES > 1000  # only the module's copy was lowered
    code, out, err = run("diff", "HEAD~1", "HEAD", cwd=repo)
    assert code == 0 and "Traceback" not in err and "\x1b" not in out


def _u(start, end, label, text=""):
    return Unit(((start, end),), label, text)


def test_matching_passes():
    old = [_u(0, 5, "ORG", "Times"), _u(10, 14, "GPE", "Kyiv"), _u(20, 24, "GPE", "Lviv"), _u(30, 34, "PERSON", "Kots")]
    new = [_u(0, 5, "ORG", "Times"), _u(10, 14, "LOC", "Kyiv"), _u(40, 44, "GPE", "Lviv"), _u(50, 54, "NORP", "Kots")]
    kinds = [(c.kind, c.old and c.old.start, c.new and c.new.start) for c in compare(old, new)]
    # Lviv moved by its text; Kots changed label and place, so it is a removal and an addition.
    assert kinds == [("relabelled", 10, 10), ("moved", 20, 40), ("removed", 30, None), ("added", None, 50)]


def test_table_cells_survive_pipes_backticks_and_newlines(tmp_path):
    from newsspan.workflow.diff import _code
    assert _code("a|b") == "`a\\|b`"
    assert _code("x`y") == "``x`y``"
    assert _code("line\nnext") == "`line⏎next`"
    assert _code("z" * 100) == "`" + "z" * 59 + "…`"
