"""Every command of build_dataset.py has a happy path, run as its user runs it: a subprocess in a
scratch checkout. A command that crashes, or a new command without an entry here, fails the suite.

To add a command: one line in HAPPY_PATHS, its arguments and a piece of what it prints when it
works. `{tmp}` is a scratch folder outside the checkout; `{page}` a new page, `{predictions}` a
predictions file for the test split, `{aeb}` a one-page folder in AEB's published layout.
"""
import gzip
import hashlib
import json
import subprocess

import pytest

from newsspan.commands import command_modules

from conftest import copy_repository, run_in

HAPPY_PATHS: dict[str, tuple[list[str], str]] = {
    "add": (["add", "{page}", "--publisher", "Example Gazette", "--date", "2024-05-06"], "add: wrote corpus/raw/"),
    "agreement": (["agreement"], ""),
    "benchmark": (["benchmark", "--system", "keep-everything", "--out", "{tmp}/results"], "benchmark: wrote"),
    "build": (["build", "--out", "{tmp}/dist"], "build: wrote"),
    "codes": (["codes"], "| NS101 |"),
    "diff": (["diff", "HEAD", "HEAD"], "No annotation changes."),
    "docs": (["docs"], "docs: every generated block is current"),
    "evaluate": (["evaluate", "--predictions", "{predictions}"], "|"),
    "fix": (["fix"], "0 refused"),
    "fmt": (["fmt", "--check"], "fmt:"),
    "fuzz": (["fuzz", "--examples", "3", "--seed", "1", "--crash-dir", "{tmp}/crashes"], "0 crashes"),
    "import-benchmark": (["import-benchmark", "aeb", "{aeb}", "--out", "{tmp}/imported"], "kept"),
    "labelstudio": (["labelstudio", "export", "--out", "{tmp}/tasks.json"], "labelstudio export: wrote"),
    "release": (["release", "--patch"], "release:"),
    "render": (["render", "--out", "{tmp}/site"], "render: wrote"),
    "validate": (["validate"], "0 errors"),
}

PAGE = """Library extends opening hours for exam season
The central library will stay open until midnight from Monday, the city council said on Friday.
Students had asked for longer hours in a petition signed by more than 2,000 people.
Share this article
"""


def test_every_command_has_a_happy_path_here():
    commands = {m.NAME for m in command_modules()}
    missing = sorted(commands - set(HAPPY_PATHS))
    assert not missing, (f"command(s) {missing} have no happy-path test: add a line to HAPPY_PATHS in "
                         "tests/test_commands.py, e.g. \"name\": ([\"name\", \"--option\", \"value\"], \"what it prints\")")
    assert sorted(set(HAPPY_PATHS) - commands) == [], "HAPPY_PATHS names a command that no longer exists"


def _checkout(tmp_path):
    repo = copy_repository(tmp_path / "repo")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "scratch"], cwd=repo, check=True)
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    return repo


def _predictions(repo, tmp_path) -> str:
    """Keep-everything predictions (the raw text) for every document of the test split."""
    lines = []
    for path in sorted((repo / "corpus" / "annotations").glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        if ann["split"] == "test":
            raw = next((repo / "corpus" / "raw").glob(f"{path.stem}.*")).read_text(encoding="utf-8")
            lines.append(json.dumps({"id": path.stem, "text": raw}))
    out = tmp_path / "predictions.jsonl"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(out)


ARTICLE = ("Residents of the river town cleared mud from their homes on Sunday after the flood water fell. "
           "The mayor said the emergency shelters would stay open for another week while engineers checked the bridges.")


def _aeb(tmp_path) -> str:
    """A benchmark download of one page, shaped as AEB publishes it (ground-truth.json, html/<sha256>.html.gz)."""
    html = (f"<html lang='en'><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>Flood water falls</h1><p>{ARTICLE}</p></article>"
            f"<footer>Subscribe to our newsletter for daily updates from the region</footer></body></html>").encode()
    page_id = hashlib.sha256(html).hexdigest()
    root = tmp_path / "aeb"
    (root / "html").mkdir(parents=True)
    (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html, mtime=0))
    truth = {page_id: {"articleBody": ARTICLE, "url": "https://news.example.org/flood"}}
    (root / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return str(root)


@pytest.mark.parametrize("command", sorted(HAPPY_PATHS))
def test_happy_path(command, tmp_path):
    repo = _checkout(tmp_path)
    argv, expected = HAPPY_PATHS[command]
    values = {"tmp": str(tmp_path), "page": str(tmp_path / "page.txt")}
    if any("{aeb}" in a for a in argv):
        values["aeb"] = _aeb(tmp_path)
    if any("{predictions}" in a for a in argv):
        values["predictions"] = _predictions(repo, tmp_path)
    proc = run_in(repo, *(a.format(**values) for a in argv))
    assert proc.returncode == 0, f"{command}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    assert expected in proc.stdout, proc.stdout
