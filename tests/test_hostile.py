"""Pull requests come from strangers: every hostile input gets a located, actionable error.

Each folder of tests/fixtures/hostile/ is a small corpus with a WHY.md and an expected.json that
says, by hand, which codes the validator reports and where: {"codes": [...], "path": ...,
"line": N, "col": N} or a list of such, optionally with "hint" (a phrase the hint must contain)
and "limits" (size limits lowered for the test, so that the fixture stays small). `"codes": []`
marks an input that is accepted on purpose; its WHY.md records the decision.
"""
import json
import os
import pickle
import re
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan import read
from newsspan.incidents import CODES
from newsspan.release import build_release
from newsspan.validate import validate_corpus

from conftest import FIXTURES, REPO

HOSTILE = FIXTURES / "hostile"
NAMES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir())
LINE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): (?P<code>NS[0-9]{3}) (?P<name>[a-z0-9-]+): \S")


def _expected(name: str) -> list[dict]:
    data = json.loads((HOSTILE / name / "expected.json").read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def _where(path: str) -> str:
    """An absolute path without following links: a link is reported under its own name."""
    return os.path.abspath(path)


def test_the_catalogue_is_large_and_documented():
    bad = [n for n in NAMES if any(e["codes"] for e in _expected(n))]
    assert len(bad) >= 40
    for name in NAMES:
        assert (HOSTILE / name / "WHY.md").read_text(encoding="utf-8").strip(), name
        for entry in _expected(name):
            assert set(entry["codes"]) <= set(CODES), name


@pytest.mark.parametrize("name", NAMES)
def test_hostile_input_gets_exactly_the_expected_located_errors(name, monkeypatch):
    root = HOSTILE / name
    entries = _expected(name)
    for entry in entries:
        for limit, value in entry.get("limits", {}).items():
            monkeypatch.setattr(read, limit, value)
    report = validate_corpus(root)
    found: dict[tuple, set[str]] = {}
    for inc in report.incidents:
        found.setdefault((_where(inc.path), inc.line, inc.col), set()).add(inc.code)
        assert inc.message.strip() and inc.hint.strip(), inc
    wanted = {(_where(root / e["path"]), e["line"], e["col"]): set(e["codes"]) for e in entries if e["codes"]}
    assert found == wanted
    for entry in entries:
        if "hint" in entry:
            hints = [i.hint for i in report.incidents if _where(i.path) == _where(root / entry["path"])]
            assert any(entry["hint"].lower() in h.lower() for h in hints), hints
    if not wanted:
        assert report.ok and len(report.documents) == 1


def _assert_clean_output(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")  # strict: every byte printed is UTF-8


def _validate_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "validate", *args], cwd=cwd,
                          capture_output=True, timeout=600)


def test_the_command_line_reports_the_whole_catalogue_without_a_traceback():
    dirs = [str(HOSTILE / n) for n in NAMES]
    text = _validate_cli(*dirs)
    out = _assert_clean_output(text)
    assert text.returncode == 1
    # No terminal control reaches the reviewer's screen: every value and name arrives escaped.
    assert not [c for c in out if unicodedata.category(c) == "Cc" and c != "\n"]
    lines = [line for line in out.split("\n")[:-1] if not line.startswith("validate: ")]  # without the summary
    assert len(lines) % 2 == 0 and lines
    for first, second in zip(lines[::2], lines[1::2]):
        assert LINE.match(first), first
        assert second.startswith("    hint: "), second
    rows = json.loads(_assert_clean_output(_validate_cli("--format", "json", *dirs)))
    assert {r["code"] for r in rows} >= {c for n in NAMES for e in _expected(n) for c in e["codes"]} - {"NS110"}
    github = _assert_clean_output(_validate_cli("--format", "github", *dirs))
    assert all(line.startswith(("::error file=", "::warning file=")) for line in github.splitlines())


def _minimal_corpus(root: Path) -> Path:
    valid = FIXTURES / "codes" / "VALID-minimal"
    for sub in ("annotations", "raw"):
        (root / sub).mkdir(parents=True)
    (root / "annotations" / "doc.json").write_bytes((valid / "annotations" / "doc.json").read_bytes())
    (root / "raw" / "doc.txt").write_bytes((valid / "raw" / "doc.txt").read_bytes())
    return root


def test_a_fifo_in_the_corpus_is_refused_not_read(tmp_path):
    root = _minimal_corpus(tmp_path / "c")
    (root / "raw" / "doc.txt").unlink()
    os.mkfifo(root / "raw" / "doc.txt")  # reading it would block forever
    report = validate_corpus(root)
    assert [(i.code, Path(i.path).name) for i in report.incidents] == [("NS113", "doc.txt")]


def test_file_names_that_would_forge_output_are_escaped(tmp_path):
    root = _minimal_corpus(tmp_path / "c")
    names = [b"evil\nx.json", b"\x1b[2Jclear.json", b"\xff\xfe.json"]
    for name in names:
        (root / "annotations").joinpath(os.fsdecode(name)).write_text("{}")
    proc = _validate_cli(str(root), cwd=tmp_path)
    out = _assert_clean_output(proc)
    assert proc.returncode == 1
    incident_lines = [line for line in out.splitlines() if not line.startswith(("    hint: ", "validate: "))]
    assert len(incident_lines) == len(names)
    for line in incident_lines:
        assert LINE.match(line) and " NS104 " in line and "\x1b" not in line
    assert "evil\\nx.json" in out and "\\x1b[2Jclear.json" in out and "\\udcff\\udcfe.json" in out


# -- no side effects -----------------------------------------------------------------------------

def _schema_refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _schema_refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _schema_refs(v)]
    return []


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_schema_refs_resolve_locally_and_remote_ones_are_never_fetched(no_network):
    from referencing.exceptions import Unresolvable

    from newsspan.validate.schema import load_schema, validator

    validator.cache_clear()
    schema = load_schema()
    refs = sorted(set(_schema_refs(schema)))
    assert refs
    for ref in refs:
        # Each $ref, resolved through the validator's own registry against the schema's $id.
        probe = validator().evolve(schema={"$ref": schema["$id"] + ref})
        list(probe.iter_errors(None))
    with pytest.raises(Unresolvable):
        list(validator().evolve(schema={"$ref": "https://example.org/elsewhere.schema.json"}).iter_errors(None))
    assert no_network == []


def test_an_annotation_naming_a_remote_schema_is_not_fetched(no_network, tmp_path):
    root = _minimal_corpus(tmp_path / "c")
    path = root / "annotations" / "doc.json"
    path.write_text(path.read_text().replace("{\n", '{\n  "$schema": "https://example.org/evil.schema.json",\n', 1))
    assert validate_corpus(root).ok
    assert no_network == []


# Placeholders of str.format, %-formatting, shells and Jinja: a title is never a template.
TEMPLATE_TITLE = "{0.__class__} {version} %(x)s ${HOME} {{ config }}"


def _payload_corpus(root: Path, marker: Path) -> tuple[Path, str]:
    """A corpus whose raw text is a live pickle and a line of Python, each of which creates `marker`."""
    import hashlib

    payload = f"c__builtin__\nopen\n(S'{marker}'\nS'w'\ntR."
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    raw = f"{payload}\n{code}\n"
    for sub in ("annotations", "raw"):
        (root / sub).mkdir(parents=True)
    (root / "raw" / "doc.txt").write_text(raw, encoding="utf-8")
    valid = json.loads((FIXTURES / "codes" / "VALID-minimal" / "annotations" / "doc.json").read_text())
    valid["metadata"]["raw_sha256"] = hashlib.sha256(raw.encode()).hexdigest()
    valid["metadata"]["title"] = TEMPLATE_TITLE
    valid["boilerplate"] = [{"id": "b1", "start": 0, "end": len(payload), "label": "markup", "text": payload}]
    valid["entities"], valid["quotes"] = [], []
    (root / "annotations" / "doc.json").write_text(json.dumps(valid, ensure_ascii=False), encoding="utf-8")
    return root, raw


def test_the_payload_of_the_no_execution_test_is_live(tmp_path):
    """Control for the test below: unpickling the raw text really would create the marker."""
    marker = tmp_path / "pwned-by-control"
    _, raw = _payload_corpus(tmp_path / "c", marker)
    pickle.loads(raw.split("\n__import__")[0].encode())
    assert marker.exists()


def test_the_build_never_unpickles_or_runs_corpus_content(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    corpus, raw = _payload_corpus(tmp_path / "c", marker)

    def refuse(*args, **kwargs):
        raise AssertionError("the build unpickled something")
    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    report = validate_corpus(corpus)
    assert report.ok, report.incidents
    target = build_release(report.documents, out_root=tmp_path / "out", corpus=corpus)
    assert not marker.exists()
    (row,) = [r for p in sorted((target / "data" / "documents").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert row["raw_text"] == raw
    assert row["boilerplate"][0]["text"] == raw.split("\n__import__")[0]
    assert row["title"] == TEMPLATE_TITLE


AUDITED_BUILD = r"""
import json, os, sys
from pathlib import Path

out = os.path.abspath(sys.argv[2])
writes = []
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
CHANGES = {"os.rename": 2, "os.replace": 2, "os.remove": 1, "os.unlink": 1, "os.mkdir": 1, "os.rmdir": 1,
           "os.symlink": 2, "os.link": 2, "os.truncate": 1, "os.chmod": 1, "os.chown": 1, "os.utime": 1,
           "shutil.rmtree": 1, "shutil.move": 2, "shutil.copyfile": 2, "tempfile.mkdtemp": 1}

# Where a directory-relative call (shutil.rmtree removes by dir_fd) takes its path from.
DIR_FD = {"os.remove": 1, "os.unlink": 1, "os.rmdir": 1, "os.mkdir": 2}

def where(path, dir_fd=None):
    if not isinstance(path, (str, bytes, os.PathLike)):
        return repr(path)
    path = os.fsdecode(path)
    if isinstance(dir_fd, int) and not os.path.isabs(path):
        return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
    return os.path.abspath(path)

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return
        if (mode and any(c in mode for c in "wax+")) or (flags or 0) & WRITE_FLAGS:
            writes.append((event, where(path)))
    elif event in CHANGES:
        dir_fd = args[DIR_FD[event]] if event in DIR_FD and len(args) > DIR_FD[event] else None
        writes.extend((event, where(a, dir_fd)) for a in args[:CHANGES[event]])

sys.addaudithook(hook)
from newsspan.release import build_release
from newsspan.validate import validate_corpus

corpus = Path(sys.argv[1])
report = validate_corpus(corpus)
assert report.ok, report.incidents
build_release(report.documents, out_root=Path(out), corpus=corpus)
print(json.dumps(writes))
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
            for p in sorted(folder.rglob("*"))}


def test_a_build_writes_only_below_its_output_folder(tmp_path):
    corpus, _ = _payload_corpus(tmp_path / "corpus", tmp_path / "pwned")
    for sub in ("home", "tmp", "cwd", "hf"):
        (tmp_path / sub).mkdir()
    out = tmp_path / "out"
    before = _tree(tmp_path)
    env = dict(os.environ, HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"), HF_HOME=str(tmp_path / "hf"),
               HF_DATASETS_CACHE=str(tmp_path / "hf" / "datasets"), PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", AUDITED_BUILD, str(corpus), str(out)], cwd=tmp_path / "cwd",
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    writes = json.loads(proc.stdout.splitlines()[-1])
    assert writes, "the audit hook saw no write at all: it is not working"
    # ctypes' library lookup (used for the atomic rename) writes a temporary file and /dev/null;
    # the temporary folder is compared before and after below, so nothing may stay there.
    allowed = (out, tmp_path / "tmp")
    outside = [(event, path) for event, path in writes
               if path != os.devnull and not any(Path(path) == a or a in Path(path).parents for a in allowed)]
    assert outside == []
    after = _tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out/") and k != "out"} == before
    assert any(k.startswith("out/0.") or k.startswith("out/1.") for k in after)


# -- the fuzz command ----------------------------------------------------------------------------

def test_fuzzing_is_seeded(tmp_path, monkeypatch):
    from newsspan import fuzz
    from newsspan.fuzz import oracle

    def record(seen):
        return lambda case, root: seen.append(case)
    runs = []
    for _ in range(2):
        seen = []
        monkeypatch.setattr(oracle, "check", record(seen))
        assert fuzz.fuzz(tmp_path, examples=25, seed=7).examples == 25
        runs.append(seen)
    assert runs[0] == runs[1] and len({c.annotation for c in runs[0]}) > 1


def test_a_crash_exits_1_with_a_reproducer_and_a_fixture_folder(tmp_path, monkeypatch, capsys):
    from newsspan.cli import main
    from newsspan.fuzz import mutations, oracle

    def crash_on_nan(case, root):
        if b"NaN" in case.annotation:
            raise ValueError("simulated crash")
    monkeypatch.setattr(oracle, "check", crash_on_nan)
    monkeypatch.setattr(mutations, "TOKENS", [b"NaN"])
    monkeypatch.setattr(mutations, "VALUE_TOKENS", [b"NaN"])
    assert main(["fuzz", "--examples", "300", "--crash-dir", str(tmp_path / "crashes")]) == 1
    out, err = capsys.readouterr()
    assert "fuzz: crash 1" in err and "ValueError: simulated crash" in err and "annotations/doc.json = b'" in err
    saved = sorted((tmp_path / "crashes").iterdir())
    assert out.splitlines()[-1].endswith(f", {len(saved)} crashes") and saved
    assert b"NaN" in (saved[0] / "annotations" / "doc.json").read_bytes()
    assert (saved[0] / "raw" / "doc.txt").is_file()


def test_the_fuzz_command_runs_clean_for_a_few_examples():
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "fuzz", "--examples", "20"], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.fullmatch(r"fuzz: 20 examples in [0-9.]+ s \(seed 0\), 0 crashes\n", proc.stdout)


def test_the_plain_edge_shortcut_skips_no_special_character():
    # characters.edge_character_problem skips edges below U+0300 (but U+00AD): none of those may be
    # a mark, a format character, a joiner, a modifier or a flag letter.
    import unicodedata

    from newsspan.validate.characters import _NOT_PLAIN, _extends, _regional, invisible

    for code in range(0x110000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF or _NOT_PLAIN.match(ch):
            continue
        assert not (_extends(ch) or _regional(ch) or invisible(ch) or unicodedata.category(ch) == "Cf"), hex(code)
