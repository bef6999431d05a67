"""One minimal fixture per validation code, each yielding exactly its code (UD-validator style)."""
import shutil
from pathlib import Path

import pytest

from newsspan import read
from newsspan.incidents import CODES
from newsspan.validate import validate_corpus

CODE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "codes"


def _fixture(code: str) -> Path:
    return CODE_FIXTURES / f"{code}-{CODES[code].name}"


def test_every_code_has_a_fixture_and_every_fixture_a_code():
    dirs = {p.name for p in CODE_FIXTURES.iterdir() if p.is_dir()}
    expected = {f"{c.code}-{c.name}" for c in CODES.values()} | {"VALID-minimal"}
    assert dirs == expected


def test_every_fixture_says_why():
    for path in CODE_FIXTURES.iterdir():
        assert (path / "WHY.md").read_text().strip(), path.name


def test_valid_fixture_is_clean():
    report = validate_corpus(CODE_FIXTURES / "VALID-minimal")
    assert report.incidents == [] and list(report.documents) == ["doc"]


@pytest.mark.parametrize("code", [c for c in CODES if c not in ("NS110", "NS120", "NS312")])
def test_fixture_yields_exactly_its_code(code):
    report = validate_corpus(_fixture(code))
    assert {i.code for i in report.incidents} == {code}
    for inc in report.incidents:
        assert inc.line >= 1 and inc.col >= 1
        assert inc.message and inc.hint


def test_too_large_raw_file(tmp_path, monkeypatch):
    root = tmp_path / "c"
    shutil.copytree(_fixture("NS110"), root)
    monkeypatch.setattr(read, "MAX_RAW_BYTES", 1000)
    with open(root / "raw" / "doc.txt", "ab") as raw:
        raw.write(b"x" * 1000)
    report = validate_corpus(root)
    assert {i.code for i in report.incidents} == {"NS110"}


def test_file_changed_during_the_run(tmp_path, monkeypatch):
    import newsspan.validate as validate

    root = tmp_path / "c"
    shutil.copytree(_fixture("NS120"), root)
    assert {i.code for i in validate_corpus(root).incidents} == {"NS407"}  # as it stands
    corpus_stage = validate.corpus_incidents

    def rewritten_first(*args):
        (root / "raw" / "capture-b.txt").write_text("Another page altogether, written while validation ran.\n")
        return corpus_stage(*args)

    monkeypatch.setattr(validate, "corpus_incidents", rewritten_first)
    for keep in (True, False):
        (root / "raw" / "capture-b.txt").write_bytes((_fixture("NS120") / "raw" / "capture-b.txt").read_bytes())
        report = validate_corpus(root, keep_documents=keep)
        assert [(i.code, Path(i.path).name) for i in report.incidents] == [("NS120", "capture-b.txt")]
        assert "changed while" in report.incidents[0].message and "validate again" in report.incidents[0].hint


def test_search_limit(monkeypatch):
    from newsspan.workflow import resolve

    assert {i.code for i in validate_corpus(_fixture("NS312")).incidents} == {"NS306"}  # within the real limit
    monkeypatch.setattr(resolve, "SEARCH_FLOOR", 0)
    monkeypatch.setattr(resolve, "SEARCH_PAGES", 0)
    resolve._occurrences.cache_clear()  # a scan answered from the cache costs nothing
    report = validate_corpus(_fixture("NS312"))
    assert [i.code for i in report.incidents] == ["NS312", "NS312"]
    assert all("limit" in i.message and "fix" in i.hint for i in report.incidents)


def test_incident_lines_point_at_the_problem():
    """The reported line holds the offending key or value, not just somewhere in the file."""
    checks = {"NS108": '"split"', "NS109": "NaN", "NS203": "0.0", "NS204": "Person", "NS205": "03/11/2022",
              "NS202": '"author"', "NS304": '"Zelensky"', "NS404": '"e9"'}
    for code, needle in checks.items():
        (inc,) = validate_corpus(_fixture(code)).incidents
        line = (_fixture(code) / inc.path.split("/codes/" + _fixture(code).name + "/")[1]).read_text().splitlines()[inc.line - 1]
        assert needle in line[inc.col - 1:], (code, line, inc.col)
