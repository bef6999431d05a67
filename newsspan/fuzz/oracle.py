"""What misbehaving means: an exception, an incident without code, location or hint, a report
that does not print safely, or a document that passes but cannot become Arrow rows."""
from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pyarrow as pa

from ..derive import DERIVERS
from ..features import CONFIGS
from ..incidents import CODES, FORMATTERS
from ..validate import Report, validate_corpus
from .documents import DOC_ID, Case

def write_case(root: Path, case: Case) -> None:
    for sub in ("annotations", "raw"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir(parents=True)
    (root / "annotations" / f"{DOC_ID}.json").write_bytes(case.annotation)
    (root / "raw" / f"{DOC_ID}.txt").write_bytes(case.raw)


def check(case: Case, root: Path) -> Report:
    """Validate one input below `root`; raise when the validator misbehaves on it."""
    write_case(root, case)
    report = validate_corpus(root)
    for inc in report.incidents:
        assert inc.code in CODES, inc
        assert inc.line >= 1 and inc.col >= 1, inc
        assert inc.message.strip() and inc.hint.strip(), inc
    for formatter in FORMATTERS.values():
        formatter(report.incidents).encode("utf-8")  # a stranger's bytes must not break the output
    text = FORMATTERS["text"](report.incidents)
    assert not report.incidents or len(text.split("\n")) == 2 * len(report.incidents), text
    assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in text), text  # no terminal control
    for doc in report.documents.values():
        for config, derive in DERIVERS.items():
            pa.Table.from_pylist(list(derive(doc)), schema=CONFIGS[config].arrow_schema)
    return report
