"""The leaderboard: one Markdown table rendered from the results files of `build_dataset.py benchmark`."""
from __future__ import annotations

from pathlib import Path

from ..evaluate.report import fmt, table
from ..read import read_outside_json, relpath

HEADER = ["system", "version", "char F1 content / boilerplate", "token F1 content", "AEB F1 [95% CI]", "runtime (ms/doc)"]


def load_results(results_dir: Path) -> list[dict]:
    """Every `<system>.json` below `results_dir`, in file-name order."""
    paths = sorted(Path(results_dir).glob("*.json"))
    if not paths:
        raise ValueError(f"no results in {relpath(Path(results_dir))}: run `python3 build_dataset.py benchmark` first")
    return [read_result(p) for p in paths]


def read_result(path: Path) -> dict:
    # A results folder may be anyone's (--out): read like every outside JSON file.
    source, problems = read_outside_json(path)
    if source is None or not isinstance(source.value, dict):
        first = problems[0] if problems else None
        said = f"{first.line}:{first.col}: not valid JSON ({first.code} {first.message})" if first else "1:1: not a JSON object"
        raise ValueError(f"{relpath(path)}:{said}; rerun `python3 build_dataset.py benchmark` to write it again")
    return source.value


def leaderboard_markdown(results_dir: Path) -> str:
    """A caption and a table, best char content F1 first (ties by name)."""
    results = load_results(results_dir)
    _same_run(results)
    first = results[0]
    rows = sorted(results, key=lambda r: (-(_f1(r, "char/content") or 0.0), r["system"]))
    caption = (f"NewsSpan {first['dataset_version']}, {_split_name(first['split'])} ({len(first['documents'])} documents). "
               "F1 is micro-averaged over the non-space characters (char) or `\\w+` tokens of the raw pages; AEB F1 is "
               "the article-extraction-benchmark shingle score with its 95% bootstrap interval over documents; "
               "runtime is the best of the measured passes, per document, HTML conversion included.")
    return caption + "\n\n" + "\n".join(table(HEADER, [_row(r) for r in rows]))


def _same_run(results: list[dict]) -> None:
    """Rows are comparable only when they score the same documents of the same dataset version."""
    keys = {(r["dataset_version"], r["split"], tuple(r["documents"])) for r in results}
    if len(keys) > 1:
        found = ", ".join(f"{r['system']} ({r['split']}, {r['dataset_version']})" for r in results)
        raise ValueError(f"the results mix different documents or dataset versions: {found}; "
                         "rerun `python3 build_dataset.py benchmark` for every system")


def _split_name(split: str) -> str:
    return "all documents" if split == "all" else f"{split} split"


def _f1(result: dict, key: str) -> float | None:
    return result["scores"]["overall"]["spans"][key]["micro"]["f1"]["value"]


def _row(result: dict) -> list[str]:
    versions = result["versions"]
    version = f"{next(iter(versions))} {next(iter(versions.values()))}" if versions else "this repository"
    aeb = result["scores"]["overall"]["aeb"]["f1"]
    interval = f" [{fmt(aeb['low'])}, {fmt(aeb['high'])}]" if aeb["low"] is not None else ""
    per_doc = 1000 * result["runtime"]["wall_seconds"] / max(1, len(result["documents"]))
    failed = len(result.get("failures") or {})
    name = result["system"] + (f" (failed on {failed} documents, scored empty)" if failed else "")
    return [name, version, f"{fmt(_f1(result, 'char/content'))} / {fmt(_f1(result, 'char/boilerplate'))}",
            fmt(_f1(result, "token/content")), fmt(aeb["value"]) + interval, f"{per_doc:.1f}"]
