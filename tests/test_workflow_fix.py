"""Spans written by text: how they resolve, how the validator reports them, and `fix` / `fmt`."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from test_workflow_cli import run
from newsspan.validate import validate_corpus
from newsspan.workflow.resolve import Located, Refused, occurrences, resolve

VALID = FIXTURES / "codes" / "VALID-minimal"
# The raw text of VALID-minimal: "Support us!\nZelensky said: “We will win.”\n"



RAW = "Kyiv, then Lviv, then Kyiv again; Kyiv."
#      0         1         2         3
#      0123456789012345678901234567890123456789   Kyiv at 0, 22 and 34


@pytest.mark.parametrize("span, expected", [
    ({"text": "Lviv"}, Located(11, 15)),
    ({"text": "Kyiv", "occurrence": 1}, Located(0, 4)),
    ({"text": "Kyiv", "occurrence": 3}, Located(34, 38)),
    ({"text": "Kyiv", "start": 25}, Located(22, 26)),
    ({"text": "Kyiv", "start": 31}, Located(34, 38)),
    ({"text": "Kyiv", "occurrence": 1, "start": 30}, Located(0, 4)),  # occurrence wins
    ({"text": "Kyiv", "start": 0, "end": 4, "occurrence": 2}, Located(22, 26)),
])
def test_resolve(span, expected):
    assert resolve(span, RAW) == expected


@pytest.mark.parametrize("span, code, words", [
    ({"text": "Kyiv"}, "NS307", "occurs 3 times"),
    ({"text": "Kyiv", "start": 28}, "NS307", "same distance"),  # 22 and 34 are both 6 away
    ({"text": "Kiev"}, "NS308", "does not occur"),
    ({"text": "Kyiv", "occurrence": 4}, "NS308", "no occurrence 4"),
    ({"text": "Lviv", "occurrence": 2}, "NS308", "occurs once"),
])
def test_resolve_refuses(span, code, words):
    found = resolve(span, RAW)
    assert isinstance(found, Refused) and found.code == code and words in found.message and found.hint


LOOKALIKE_RAW = "Head\nThe Kherson\u00a0region is \u201cfree\u201d \u2013 it\u2019s over.\n"


@pytest.mark.parametrize("typed, where, differs", [
    ("Kherson region", "2:5 [9, 23)", ["character 8: the raw file has U+00A0 NO-BREAK SPACE where the text has U+0020 SPACE"]),
    ('is "free"', "2:20 [24, 33)", ["character 4: the raw file has U+201C LEFT DOUBLE QUOTATION MARK where the text has U+0022",
                                   "character 9: the raw file has U+201D RIGHT DOUBLE QUOTATION MARK"]),
    ("free\u201d - it's", "2:24 [28, 40)", ["character 7: the raw file has U+2013 EN DASH where the text has U+002D HYPHEN-MINUS",
                                            "character 11: the raw file has U+2019 RIGHT SINGLE QUOTATION MARK where the text has U+0027"]),
])
def test_text_not_found_names_the_lookalike_characters_and_the_place(typed, where, differs):
    """Regression: NS308 gave no help when only a no-break space, a curly quote or a dash differed."""
    found = resolve({"text": typed}, LOOKALIKE_RAW)
    assert isinstance(found, Refused) and found.code == "NS308"
    assert f"at {where}" in found.hint
    for part in differs:
        assert part in found.hint
    start, end = (int(n) for n in where.split("[")[1].rstrip(")").split(", "))
    suggested = json.loads(found.hint.split('"text": ', 1)[1])
    assert suggested == LOOKALIKE_RAW[start:end]
    assert resolve({"text": suggested}, LOOKALIKE_RAW) == Located(start, end)


def test_text_not_found_without_a_lookalike_match_keeps_the_general_hint():
    found = resolve({"text": "Kiev"}, LOOKALIKE_RAW)
    assert isinstance(found, Refused) and "copy the text from the raw file exactly" in found.hint


def test_occurrences_may_overlap():
    assert occurrences("aaaa", "aa") == (0, 1, 2)


def _draft_copy(tmp_path: Path, entities: list, quotes=None) -> Path:
    root = tmp_path / "c"
    shutil.copytree(VALID, root)
    path = root / "annotations" / "doc.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["entities"] = entities
    if quotes is not None:
        doc["quotes"] = quotes
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_validator_reports_each_span_written_by_text(tmp_path):
    path = _draft_copy(tmp_path, [{"id": "e1", "label": "PERSON", "text": "Zelensky"}],
                       [{"id": "q1", "type": "direct", "content": [{"text": "We will win."}],
                         "speaker": {"entity": "e1"}, "cue": {"text": "said"}}])
    incidents = validate_corpus(path.parent.parent).incidents
    assert [i.code for i in incidents] == ["NS306"] * 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [lines[i.line - 1][i.col - 1:] for i in incidents] == ['"Zelensky"', '"We will win."', '"said"']
    assert all("fix" in i.hint for i in incidents)


def test_fix_is_idempotent_and_canonical(tmp_path):
    path = _draft_copy(tmp_path, [{"label": "PERSON", "text": "Zelensky"}],
                       [{"type": "direct", "content": [{"text": "We will win."}], "speaker": {"entity": "e1"}, "cue": {"text": "said"}}])
    code, out, _ = run("fix", str(path))
    assert code == 0 and "1 rewritten" in out
    # The fixed file is exactly the hand-made canonical VALID-minimal annotation.
    assert path.read_bytes() == (VALID / "annotations" / "doc.json").read_bytes()
    code, out, _ = run("fix", str(path))
    assert code == 0 and "0 rewritten" in out
    assert path.read_bytes() == (VALID / "annotations" / "doc.json").read_bytes()


def test_fix_refuses_ambiguous_text_and_leaves_the_file_untouched(tmp_path):
    path = _draft_copy(tmp_path, [{"id": "e1", "label": "PERSON", "text": "Zelensky"},
                                  {"id": "e2", "label": "PERSON", "text": "e"}])
    before = path.read_bytes()
    code, out, err = run("fix", str(path))
    assert code == 1 and "Traceback" not in out + err
    assert path.read_bytes() == before
    located = next(line for line in out.splitlines() if " NS307 " in line)
    where, line_no, col = located.split(":")[:3]
    assert where.endswith("annotations/doc.json")
    assert before.decode().splitlines()[int(line_no) - 1][int(col) - 1:] == '"e"'
    # "e" is in "Zelensky" twice and in "We" once.
    assert "occurs 3 times" in located and "occurrence" in out.split(located)[1]


def test_fix_works_on_agreement_files(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(VALID, root)
    doc = json.loads((root / "annotations" / "doc.json").read_text(encoding="utf-8"))
    doc["entities"] = [{"label": "PERSON", "text": "Zelensky"}]
    doc["quotes"] = []
    (root / "agreement").mkdir()
    path = root / "agreement" / "doc.second.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run("fix", str(root))[0] == 0
    assert json.loads(path.read_text(encoding="utf-8"))["entities"] == [
        {"id": "e1", "start": 12, "end": 20, "label": "PERSON", "text": "Zelensky"}]


def test_fix_refuses_a_changed_raw_file(tmp_path):
    path = _draft_copy(tmp_path, [{"id": "e1", "label": "PERSON", "text": "Zelensky"}])
    raw = path.parent.parent / "raw" / "doc.txt"
    raw.write_text("Zelensky said nothing.\n", encoding="utf-8")
    before = path.read_bytes()
    code, out, _ = run("fix", str(path))
    assert code == 1 and " NS301 " in out and path.read_bytes() == before


def test_end_without_start_is_a_schema_error(tmp_path):
    path = _draft_copy(tmp_path, [{"id": "e1", "end": 20, "label": "PERSON", "text": "Zelensky"}])
    assert [i.code for i in validate_corpus(path.parent.parent).incidents] == ["NS206"]


def test_fix_on_the_clean_corpus_changes_nothing(corpus_copy):
    before = {p: p.read_bytes() for p in corpus_copy.rglob("*.json")}
    code, out, _ = run("fix", str(corpus_copy))
    assert code == 0 and "0 rewritten, 0 refused" in out
    assert {p: p.read_bytes() for p in corpus_copy.rglob("*.json")} == before


def test_fmt_check_lists_and_fmt_restores(corpus_copy):
    path = corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json"
    canonical = path.read_bytes()
    path.write_text(json.dumps(json.loads(canonical), indent=4, ensure_ascii=True), encoding="utf-8")
    code, out, _ = run("fmt", "--check", str(corpus_copy))
    assert code == 1 and "would reformat" in out and "nytimes-kherson-officials-flee.json" in out
    assert out.count("would reformat") == 1
    assert run("fmt", str(path))[0] == 0
    assert path.read_bytes() == canonical
    assert run("fmt", "--check", str(corpus_copy))[0] == 0


def test_fmt_refuses_broken_json_with_a_location(corpus_copy):
    path = corpus_copy / "annotations" / "nytimes-kherson-officials-flee.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"split": "test",', '"split": "test"'), encoding="utf-8")
    before = path.read_bytes()
    code, out, err = run("fmt", str(path))
    assert code == 1 and " NS107 " in out and "Traceback" not in out + err
    assert path.read_bytes() == before


def test_paths_that_are_not_annotations_are_usage_errors():
    code, _, err = run("fix", "README.md")
    assert code == 2 and "not a corpus folder" in err


def _big_page_copy(tmp_path: Path, texts: list[str]) -> Path:
    """VALID-minimal on a page of about 200 KB, with one entity written by text per `texts`."""
    import hashlib

    root = tmp_path / "big"
    shutil.copytree(VALID, root)
    raw_path = root / "raw" / "doc.txt"
    words = [f"Word{i:05d}" for i in range(20_000)]
    raw = raw_path.read_text(encoding="utf-8") + " ".join(words) + "\n"
    raw_path.write_text(raw, encoding="utf-8", newline="")
    path = root / "annotations" / "doc.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["metadata"]["raw_sha256"] = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    doc["entities"] = [{"id": f"e{n + 2}", "label": "PERSON", "text": t} for n, t in enumerate(texts)]
    doc["entities"].insert(0, {"id": "e1", "start": 12, "end": 20, "label": "PERSON", "text": "Zelensky"})
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_text_searches_of_one_document_stop_at_the_stated_limit(tmp_path):
    from newsspan.workflow import resolve as module

    # 400 distinct texts absent from a 200 KB page: two full scans each (the text, then its
    # look-alike form) would be 160 M characters; the limit stops them near 30 M.
    path = _big_page_copy(tmp_path, [f"Absent{i}" for i in range(400)])
    page = len((path.parent.parent / "raw" / "doc.txt").read_text(encoding="utf-8"))
    limit = module.SEARCH_PAGES * (page + len(path.read_text(encoding="utf-8"))) + module.SEARCH_FLOOR
    codes = [i.code for i in validate_corpus(path.parent.parent).incidents]
    assert set(codes) == {"NS308", "NS312"} and len(codes) == 400
    searched = codes.index("NS312")
    assert codes[searched:] == ["NS312"] * (400 - searched)  # in file order: once reached, the rest are refused
    assert limit // (2 * page) - 2 <= searched <= limit // (2 * page) + 1


def test_fix_resolves_what_the_limit_allows_and_the_next_run_the_rest(tmp_path):
    texts = [f"Word{i:05d}" for i in range(0, 20_000, 40)]  # 500 texts that occur once each
    path = _big_page_copy(tmp_path, texts)
    code, out, err = run("fix", str(path))
    assert code == 1 and "not searched yet: run fix again" in out and " NS312 " in out and "Traceback" not in out + err
    first = json.loads(path.read_text(encoding="utf-8"))["entities"]
    resolved = [e for e in first if "start" in e]
    assert 1 < len(resolved) < len(first)
    for _ in range(5):
        code, out, _ = run("fix", str(path))
        if code == 0:
            break
    assert code == 0, out
    doc = json.loads(path.read_text(encoding="utf-8"))
    raw = (path.parent.parent / "raw" / "doc.txt").read_text(encoding="utf-8")
    assert all(raw[e["start"]:e["end"]] == e["text"] for e in doc["entities"])
    assert validate_corpus(path.parent.parent).incidents == []
