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
    if is_public(results):
        return public_leaderboard_markdown(results)
    first = results[0]
    rows = sorted(results, key=lambda r: (-(_f1(r, "char/content") or 0.0), r["system"]))
    caption = (f"NewsSpan {first['dataset_version']}, {_split_name(first['split'])} ({len(first['documents'])} documents). "
               "F1 is micro-averaged over the non-space characters (char) or `\\w+` tokens of the raw pages; AEB F1 is "
               "the article-extraction-benchmark shingle score with its 95% bootstrap interval over documents; "
               "runtime is the best of the measured passes, per document, HTML conversion included.")
    return caption + "\n\n" + "\n".join(table(HEADER, [_row(r) for r in rows]))


def _same_run(results: list[dict]) -> None:
    """Rows are comparable only when they score the same documents of the same dataset version."""
    keys = {(r["dataset_version"], r.get("corpus", "newsspan"), r["split"], tuple(r["documents"])) for r in results}
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


# -- imported benchmark corpora ------------------------------------------------------------

PUBLIC_HEADER = ["system", "input", "char F1 content", "char F1 boilerplate", "token F1 content", "AEB F1",
                 "median char F1 content", "empty", "ms/page"]
INPUT_NAMES = {"original-html": "original HTML", "view": "view text"}


def is_public(results: list[dict]) -> bool:
    return any("import" in r for r in results)


def _ci(estimate: dict | None) -> str:
    if not estimate or estimate.get("value") is None:
        return "n/a"
    if estimate.get("low") is None:
        return fmt(estimate["value"])
    return f"{fmt(estimate['value'])} [{fmt(estimate['low'])}, {fmt(estimate['high'])}]"


def _micro(summary: dict, key: str) -> dict:
    return summary["spans"][key]["micro"]["f1"]


def public_caption(first: dict) -> str:
    info = first["import"]
    left = info["pages"] - info["kept"]
    return (f"{info['benchmark'].upper()} imported in the {info['view']} view ({info['converter']} "
            f"{info['converter_version']}), NewsSpan {first['dataset_version']}: {info['kept']} of {info['pages']} pages "
            f"({left} left out: no usable ground truth, or ground truth aligned for less than "
            f"{info['min_aligned_share']:.0%} of its tokens). Every figure has its 95% bootstrap interval over pages; F1 is "
            "micro-averaged over the non-space characters (char) or `\\w+` tokens of the view; AEB F1 is the "
            "article-extraction-benchmark shingle score against the benchmark's own text as aligned; empty = pages "
            "with an empty output; runtime is per page, the best of the measured passes.")


def _public_row(r: dict) -> list[str]:
    overall = r["scores"]["overall"]
    per_doc = 1000 * r["runtime"]["wall_seconds"] / max(1, len(r["documents"]))
    failed = len(r.get("failures") or {})
    name = r["system"] + (f" (failed on {failed} pages, scored empty)" if failed else "")
    median = overall["spans"]["char/content"]["median"]["f1"]["value"]
    return [name, INPUT_NAMES.get(r.get("input"), r.get("input") or "view text"), _ci(_micro(overall, "char/content")),
            _ci(_micro(overall, "char/boilerplate")), _ci(_micro(overall, "token/content")), _ci(overall["aeb"]["f1"]),
            fmt(median), str(overall["empty"]), f"{per_doc:.1f}"]


def _must_rows(rows: list[dict]) -> list[list[str]]:
    return [[r["system"], _ci(r["scores"]["overall"]["must_keep"]["share_kept"]),
             _ci(r["scores"]["overall"]["leakage"]["must-remove"]["share_kept"])] for r in rows]


def _page_type_rows(rows: list[dict], types: list[str]) -> list[list[str]]:
    return [[r["system"]] + [_ci(_micro(r["scores"]["page_types"][t], "char/content")) for t in types] for r in rows]


def _training_lines(rows: list[dict]) -> list[str]:
    return [f"`{r['system']}` was trained on {r['training']['corpus']} ({r['training']['split']}, "
            f"{r['training']['documents']} documents), never on a scored page." for r in rows if "training" in r]


def public_leaderboard_markdown(results: list[dict]) -> str:
    rows = sorted(results, key=lambda r: (-(_f1(r, "char/content") or 0.0), r["system"]))
    first = rows[0]
    parts = [public_caption(first), "\n".join(table(PUBLIC_HEADER, [_public_row(r) for r in rows]))]
    overall = first["scores"]["overall"]
    if overall.get("must_keep", {}).get("gold_chars") or overall["leakage"].get("must-remove", {}).get("gold_chars"):
        parts.append("Must-keep: the share of the characters of the benchmark's must-keep sentences (WCXB `with`) "
                     "that the system kept (1 is best). Must-remove leakage: the share of the characters of its "
                     "must-remove strings (WCXB `without`) found in the view that the system kept (0 is best).")
        parts.append("\n".join(table(["system", "must-keep kept", "must-remove leakage"], _must_rows(rows))))
    types = sorted(first["scores"].get("page_types") or {})
    if len(types) > 1:
        counts = ", ".join(f"{t} {first['scores']['page_types'][t]['documents']}" for t in types)
        parts.append(f"Char F1 content by page type (pages: {counts}):")
        parts.append("\n".join(table(["system"] + types, _page_type_rows(rows, types))))
    parts += _training_lines(rows)
    return "\n\n".join(parts)


PUBLIC_CORPORA = ("aeb-text", "aeb-markdown", "wcxb-text", "wcxb-markdown")


def public_results_summary(results_root: Path) -> str:
    """The README's section on the public benchmarks: one table per corpus and view, from
    `results_root/<benchmark>-<view>/` (the full tables, page types and plots are in each folder)."""
    parts = []
    for name in PUBLIC_CORPORA:
        folder = Path(results_root) / name
        if not folder.is_dir() or not any(folder.glob("*.json")):
            continue
        results = load_results(folder)
        _same_run(results)
        rows = sorted(results, key=lambda r: (-(_f1(r, "char/content") or 0.0), r["system"]))
        info = rows[0]["import"]
        parts.append(f"**{info['benchmark'].upper()}, {info['view']} view** ({info['kept']} of {info['pages']} pages; "
                     f"[all figures](benchmarks/results/{name}/leaderboard.md), "
                     f"[plot](benchmarks/results/{name}/content-vs-boilerplate.png))")
        parts.append("\n".join(table(PUBLIC_HEADER, [_public_row(r) for r in rows])))
    return "\n\n".join(parts) if parts else "No public benchmark results yet: run `python3 benchmarks/run_public.py`."
