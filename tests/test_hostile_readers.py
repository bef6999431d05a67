"""Every reader of outside data, not only `validate`: one hardened JSON reader, exact patterns,
hints that keep data, the release registry, and no write through a link.

Each test states a class of hostile input and checks the whole class (every reader, every pattern,
every cache file kind), so that a new case of the class is caught too.
"""
import ast
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest

from conftest import CORPUS, FIXTURES, REPO
from newsspan import read
from newsspan.evaluate.gold import GoldError, release_gold
from newsspan.evaluate.jsonl import read_records
from newsspan.labelstudio.importer import import_export
from newsspan.validate import validate_corpus
from newsspan.workflow import revisions

PACKAGE = REPO / "newsspan"

# json.load(s) calls allowed to bypass read.parse_json: files the project wrote itself and verified.
TRUSTED_JSON_CALLS = {
    "newsspan/read.py": "the hardened reader itself",
    "newsspan/jsonmap.py": "decodes one key token of a text parse_json has accepted already",
    "newsspan/validate/schema.py": "the packaged schema, part of the code",
    "newsspan/validate/cache.py": "a cache entry whose checksum matched (checksum.py): written by this code",
    "newsspan/validate/ledger.py": "bytes whose sha256 equals those validated by parse_json",
    "newsspan/fuzz/mutations.py": "a deep copy of a value the fuzzer built",
}


def _json_calls() -> list[tuple[str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            func = node.func if isinstance(node, ast.Call) else None
            name = None
            if isinstance(func, ast.Attribute) and func.attr in ("load", "loads") and isinstance(func.value, ast.Name):
                name = f"{func.value.id}.{func.attr}"
            if name in ("json.load", "json.loads", "orjson.loads", "ujson.loads", "simplejson.loads"):
                found.append((path.relative_to(REPO).as_posix(), node.lineno))
    return found


def test_every_json_parse_of_outside_data_goes_through_the_hardened_reader():
    calls = _json_calls()
    assert calls, "the walk finds the reader's own calls"
    bypassing = [(path, line) for path, line in calls if path not in TRUSTED_JSON_CALLS]
    assert bypassing == [], "read outside JSON with read.parse_json / read_outside_json"
    assert set(TRUSTED_JSON_CALLS) <= {path for path, _ in calls}, "a stale allow-list entry"


# -- one hardened reader ---------------------------------------------------------------------

HOSTILE_JSON = {
    "5000-digit integer": (b'{"id": "d", "n": ' + b"9" * 5000 + b"}", "NS116"),
    "100,000 nested arrays": (b"[" * 100_000 + b"]" * 100_000, "NS114"),
    "unclosed nesting": (b"[" * 100_000, None),
    "lone surrogate": (b'{"id": "d", "text": "a\\ud800b"}', "NS115"),
    "repeated key": (b'{"id": "d", "text": "a", "text": "b"}', "NS108"),
    "NaN": (b'{"id": "d", "n": NaN}', "NS109"),
    "1e400": (b'{"id": "d", "n": 1e400}', "NS109"),
    "byte-order mark": (read.BOM + b'{"id": "d"}', "NS106"),
    "not UTF-8": (b'{"id": "d\xff"}', "NS105"),
    "broken syntax": (b'{"id": ', "NS107"),
}


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_the_reader_turns_every_hostile_json_into_a_located_error(name):
    data, code = HOSTILE_JSON[name]
    source, problems = read.parse_json(data, "where.json")
    assert source is None and problems
    if code:
        assert problems[0].code == code
    assert all(p.line >= 1 and p.col >= 1 and p.message and p.hint for p in problems)


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_predictions_lines_get_the_same_checks(tmp_path, name):
    data, code = HOSTILE_JSON[name]
    path = tmp_path / "pred.jsonl"
    path.write_bytes(b'{"id": "first", "text": "x"}\n' + data + b"\n")
    records, errors = read_records(path, "pred.jsonl")
    assert [r.id for r in records] == ["first"]
    assert len(errors) == 1 and errors[0].line == 2
    assert code is None or errors[0].message.startswith(code)


def test_a_predictions_line_over_its_limit_is_refused_unread(tmp_path, monkeypatch):
    from newsspan.evaluate import jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 100)
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps({"id": "d", "text": "x" * 200}) + "\n", encoding="utf-8")
    _, errors = read_records(path, "pred.jsonl")
    assert "NS110" in errors[0].message and "the limit is 100" in errors[0].message


def test_evaluate_reports_a_hostile_line_without_a_traceback(tmp_path):
    path = tmp_path / "pred.jsonl"
    path.write_bytes(b"[" * 100_000 + b"\n" + b'{"id": "x", "n": ' + b"1" * 5000 + b"}\n")
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "evaluate", "--predictions", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "NS114" in proc.stderr and "NS116" in proc.stderr


@pytest.mark.parametrize("name", [n for n in HOSTILE_JSON if n != "not UTF-8"])
def test_a_label_studio_export_gets_the_same_checks(tmp_path, name):
    data, code = HOSTILE_JSON[name]
    export = tmp_path / "export.json"
    export.write_bytes(data)
    report = import_export(export, CORPUS)
    assert report.planned == [] and len(report.errors) == 1
    assert code is None or f" {code} " in report.errors[0]


def test_label_studio_ids_are_printed_escaped(tmp_path):
    export = tmp_path / "export.json"
    tasks = [{"id": "\x1b]0;pwned\x07", "data": {"doc_id": "nope\x1b[31m\nforged: line", "text": "x"}, "annotations": []}]
    export.write_text(json.dumps(tasks), encoding="utf-8")
    report = import_export(export, CORPUS)
    (error,) = report.errors
    assert "\x1b" not in error and "\x07" not in error and "\\x1b" in error
    assert error.count("\n") == 1  # the message line and its hint line: nothing forged


@pytest.mark.parametrize("name", HOSTILE_JSON)
def test_annotation_files_of_a_git_revision_get_the_same_checks(name):
    data, code = HOSTILE_JSON[name]
    said = revisions._parsed(data, "abc:corpus/annotations/doc.json")
    assert isinstance(said, str) and "not valid UTF-8 JSON" in said
    assert code is None or code in said


@pytest.mark.parametrize("content", [b"[" * 100_000, b'{"files": ' + b"1" * 5000 + b"}", b'{"files": 3}',
                                     b'{"files": [{"path": 1}]}', b"\xff"])
def test_a_hostile_release_manifest_is_an_error_not_a_traceback(tmp_path, content):
    (tmp_path / "MANIFEST.json").write_bytes(content)
    with pytest.raises(GoldError, match="MANIFEST.json"):
        release_gold(tmp_path, "test")


def test_a_damaged_release_parquet_file_is_an_error_not_a_traceback(tmp_path, release):
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    manifest = json.loads((copy / "MANIFEST.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f.get("config") == "documents")
    (copy / entry["path"]).write_bytes(b"PAR1 not parquet")
    entry["sha256"] = __import__("hashlib").sha256(b"PAR1 not parquet").hexdigest()
    (copy / "MANIFEST.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(GoldError, match="not a readable Parquet file"):
        release_gold(copy, "test")


# -- exact matching ----------------------------------------------------------------------------

SCHEMA = json.loads((REPO / "schema" / "annotation.schema.json").read_text(encoding="utf-8"))
# A valid example for every pattern of the schema; a new pattern needs one here.
SAMPLES = ["evil", "2022-11-03", "https://example.org/a", "en", "0" * 64, "1.0", "b1", "e1", "q1"]


def _patterns(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for v in node.values() for p in _patterns(v)]
    return [p for v in node for p in _patterns(v)] if isinstance(node, list) else []


@pytest.mark.parametrize("pattern", sorted(set(_patterns(SCHEMA))))
def test_every_schema_pattern_refuses_a_final_newline_in_both_engines(pattern):
    samples = [s for s in SAMPLES if re.fullmatch(pattern.replace("(?!\\n)$", ""), s)]
    assert samples, f"give {pattern!r} a valid sample in SAMPLES"
    schema = {"type": "string", "pattern": pattern}
    python, rust = jsonschema.Draft202012Validator(schema), jsonschema_rs.validator_for(schema)
    for sample in samples:
        assert python.is_valid(sample) and rust.is_valid(sample)
        for bad in (sample + "\n", sample + "\n\n", "\n" + sample, sample + "\r\n"):
            assert not python.is_valid(bad) and not rust.is_valid(bad), (pattern, bad)


def test_every_regex_literal_of_the_package_is_anchored_at_the_very_end():
    """`$` (without re.M) also matches before a final newline: the package says \\Z."""
    loose = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re" and node.func.attr in ("compile", "match", "search", "fullmatch")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and node.args[0].value.endswith("$") and not any("M" in ast.unparse(a) for a in node.args[1:] + [k.value for k in node.keywords])):
                loose.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert loose == []


def _doc_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "c"
    shutil.copytree(FIXTURES / "codes" / "VALID-minimal", root)
    return root


def _edit(root: Path, change) -> None:
    path = root / "annotations" / "doc.json"
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("field, value", [("doc_id", "doc\n"), ("published_date", "2022-11-03\n"),
                                          ("near_duplicate_group", "evil\n"), ("source_url", "https://a.org/\n")])
def test_a_value_with_a_final_newline_is_refused(tmp_path, field, value):
    root = _doc_corpus(tmp_path)
    _edit(root, lambda v: (v["metadata"] if field in v["metadata"] else v).__setitem__(field, value))
    codes = {i.code for i in validate_corpus(root).incidents}
    assert codes & {"NS205", "NS112"}, codes


def test_file_names_with_a_final_newline_are_refused(tmp_path):
    root = _doc_corpus(tmp_path)
    for folder, name in (("annotations", "doc.json"), ("raw", "doc.txt")):
        os.rename(root / folder / name, root / folder / name.replace("doc", "doc\n"))
    report = validate_corpus(root)
    assert [i.code for i in report.incidents] == ["NS104", "NS104"] and not report.documents


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-32"])
def test_a_raw_page_in_a_wide_encoding_is_refused_with_or_without_its_mark(tmp_path, encoding):
    root = _doc_corpus(tmp_path)
    text = (root / "raw" / "doc.txt").read_text(encoding="utf-8")
    (root / "raw" / "doc.txt").write_bytes(text.encode(encoding))
    (inc,) = validate_corpus(root).incidents
    assert inc.code == "NS118" and "UTF-" in inc.message


def test_a_nul_byte_in_a_raw_page_is_refused_where_it_stands(tmp_path):
    root = _doc_corpus(tmp_path)
    (root / "raw" / "doc.txt").write_bytes(b"Support us!\nZel\x00ensky said")
    (inc,) = validate_corpus(root).incidents
    assert (inc.code, inc.line, inc.col) == ("NS118", 2, 4)


def test_add_refuses_a_page_in_utf16(tmp_path, corpus_copy):
    from newsspan.workflow.add import Page, add_page
    from newsspan.workflow.placement import Refused

    page = tmp_path / "page.txt"
    page.write_bytes("Support us!\nThe city was retaken on Friday.\n".encode("utf-16-le"))
    before = sorted(p.name for p in (corpus_copy / "raw").iterdir())
    with pytest.raises(Refused, match="NS118"):
        add_page(Page(page, "https://example.org/a"), corpus_copy)
    assert sorted(p.name for p in (corpus_copy / "raw").iterdir()) == before


@pytest.mark.parametrize("suffix, stated", [(".md", "text"), (".txt", "markdown")])
def test_raw_format_must_agree_with_the_extension(tmp_path, suffix, stated):
    root = _doc_corpus(tmp_path)
    os.rename(root / "raw" / "doc.txt", root / "raw" / f"doc{suffix}")
    _edit(root, lambda v: v["metadata"].__setitem__("raw_format", stated))
    (inc,) = validate_corpus(root).incidents
    assert inc.code == "NS119" and stated in inc.message


# -- hints that keep data ----------------------------------------------------------------------

@pytest.mark.parametrize("change, code, pointer", [
    (lambda v: v["metadata"].__setitem__("translation", {"source_language": "es", "method": "robot"}), "NS204", "/metadata/translation/method"),
    (lambda v: v.__setitem__("near_duplicate_group", "Kherson Group"), "NS205", "/near_duplicate_group"),
    (lambda v: v["quotes"][0].__setitem__("speaker", {"entity": "b1"}), "NS205", "/quotes/0/speaker/entity"),
    (lambda v: v["metadata"].__setitem__("translation", {"source_language": "es"}), "NS201", "/metadata/translation"),
])
def test_a_nullable_field_of_the_right_type_gets_the_branch_of_its_type(tmp_path, change, code, pointer):
    root = _doc_corpus(tmp_path)
    _edit(root, change)
    (inc,) = validate_corpus(root).incidents
    assert inc.code == code and pointer in inc.message
    assert "null" not in inc.hint and "expected null" not in inc.message


def test_a_slug_hint_proposes_the_slug():
    from newsspan.validate.schema import _pattern_hint

    assert '"kherson-group"' in _pattern_hint("Kherson Group", "^[a-z0-9]+(-[a-z0-9]+)*(?!\\n)$", "")
    assert '"2022-11-03"' in _pattern_hint("2022-11-03\n", "^[0-9]{4}-[0-9]{2}-[0-9]{2}(?!\\n)$", "")


# -- the release registry ----------------------------------------------------------------------

@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A corpus folder next to the repository's CHANGELOG.md, as in the checkout."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copy(REPO / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    return tmp_path / "corpus"


@pytest.mark.parametrize("damage", ["delete", "empty file", "empty object", "unknown version", "link", "not an object"])
def test_a_missing_empty_or_replaced_registry_is_an_error(repo_copy, damage):
    registry = repo_copy / "released_splits.json"
    assert validate_corpus(repo_copy).ok
    if damage == "delete":
        registry.unlink()
    elif damage == "empty file":
        registry.write_text("", encoding="utf-8")
    elif damage == "empty object":
        registry.write_text("{}\n", encoding="utf-8")
    elif damage == "unknown version":
        value = json.loads(registry.read_text(encoding="utf-8"))
        registry.write_text(json.dumps({k: dict(v, version="9.9.9") for k, v in value.items()}), encoding="utf-8")
    elif damage == "link":
        moved = repo_copy.parent / "elsewhere.json"
        registry.rename(moved)
        registry.symlink_to(moved)
    else:
        registry.write_text("[]", encoding="utf-8")
    report = validate_corpus(repo_copy)
    assert not report.ok
    assert {i.path for i in report.errors} == {read.relpath(registry)}


def test_an_older_release_must_stay_in_the_registry(repo_copy):
    changelog = repo_copy.parent / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    newest = text.index("\n## ") + 1  # a new entry goes above every other one
    changelog.write_text(text[:newest] + "## 9.1.0 (2099-01-01)\n\n- Next.\n\n" + text[newest:], encoding="utf-8")
    assert validate_corpus(repo_copy).ok  # 9.1.0 is being prepared: the registry records the older ones
    registry = repo_copy / "released_splits.json"
    value = json.loads(registry.read_text(encoding="utf-8"))
    first = min((v["version"] for v in value.values()), key=lambda v: tuple(map(int, v.split("."))))
    registry.write_text(json.dumps({k: dict(v, version="9.1.0") for k, v in value.items()}), encoding="utf-8")
    (inc,) = validate_corpus(repo_copy).errors
    assert inc.code == "NS412" and first in inc.message


# -- output safety -----------------------------------------------------------------------------

def _cli(*args, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def _linked_target(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    return outside, tmp_path


@pytest.mark.parametrize("command", [
    lambda t: ["render", "--out", str(t / "review")],
    lambda t: ["labelstudio", "export", "--out", str(t / "review" / "index.html")],
    lambda t: ["benchmark", "--system", "keep-everything", "--out", str(t / "review")],
])
def test_no_command_writes_through_a_link_in_its_output(tmp_path, command):
    outside, _ = _linked_target(tmp_path)
    (tmp_path / "review").mkdir()
    for name in ("index.html", "keep-everything.json", "leaderboard.md"):
        (tmp_path / "review" / name).symlink_to(outside)
    proc = _cli(*command(tmp_path))
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert outside.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize("command", [
    lambda t: ["render", "--out", "linked/pages"], lambda t: ["build", "--out", "linked"],
    lambda t: ["fuzz", "--examples", "1", "--crash-dir", "linked/crashes"],
])
def test_no_command_writes_into_a_linked_output_folder(tmp_path, command):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    (work / "linked").symlink_to(elsewhere)
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), *command(tmp_path)], cwd=work,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_release_is_readable_by_others(release):
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [release, *release.rglob("*")]}
    assert {oct(m) for p, m in modes.items() if p.is_dir()} == {"0o755"}
    assert {oct(m) for p, m in modes.items() if p.is_file()} == {"0o644"}


def test_reports_of_several_lines_keep_their_lines_and_escape_the_rest():
    from newsspan.commands._common import shown

    assert read.printable_lines("| \x1b[31mred | \u202ex |\n| b\r |") == "| \\x1b[31mred | \\u202ex |\n| b\\r |"
    assert shown(Path("evil\x1b]0;t\x07.json")) == "evil\\x1b]0;t\\x07.json"


def test_readme_states_the_limits_on_untrusted_input():
    from newsspan.evaluate import jsonl, predictions
    from newsspan.evaluate.align import GAP_BUDGET
    from newsspan.labelstudio import importer
    from newsspan.workflow.resolve import MAX_OCCURRENCES

    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"{importer.MAX_EXPORT_BYTES // 2**30} GiB" in text
    assert f"predictions line | {jsonl.MAX_LINE_BYTES // 2**20} MiB" in text
    assert f"{predictions.MAX_TEXT_RATIO} × its page + {predictions.MAX_TEXT_SLACK:,} characters" in text
    assert f"| {read.MAX_LISTED} (the {read.MAX_LISTED + 1}st says" in text
    assert f"counted up to {MAX_OCCURRENCES:,}" in text
    assert f"{GAP_BUDGET} character pairs per character" in text
