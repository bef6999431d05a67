"""The import as one pipeline: read the pages, render each view, align the gold, write the corpus.

Pages are converted on a pool of worker processes; `imap` returns them in page order, so the
output does not depend on the number of workers.
"""
from __future__ import annotations

import os
from multiprocessing import get_context
from pathlib import Path

from ..progress import Progress
from .gold import page_gold
from .sources import Page, read_pages
from .views import converter, render
from .write import MIN_ALIGNED_SHARE, Imported, check_target, doc_id, kept_by_type, write_corpus


def convert_page(task: tuple[Page, str]) -> Imported:
    page, view = task
    raw = render(page.html, view)
    return Imported(page, doc_id(page), raw, page_gold(page, raw))


def _converted(pages: list[Page], view: str, jobs: int, progress: Progress):
    tasks = [(p, view) for p in pages]
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        for task in tasks:
            yield convert_page(task)
            progress.advance()
        return
    with get_context("spawn").Pool(workers) as pool:
        for item in pool.imap(convert_page, tasks, chunksize=4):
            yield item
            progress.advance()


def import_benchmark(benchmark: str, source: Path, out: Path, view: str, jobs: int = 0, quiet: bool = False,
                     only: set[str] | None = None) -> dict:
    """Import the benchmark (with `only`, just those upstream page ids) into `out`; returns the summary."""
    check_target(out)
    pages, skipped = read_pages(benchmark, source, only)
    name, version = converter(view)
    progress = Progress(f"import-benchmark {benchmark} ({view})", len(pages), "pages", quiet=quiet)
    kept, left_out = [], []
    for item in _converted(pages, view, jobs, progress):
        if item.raw.strip() and item.gold.aligned_share >= MIN_ALIGNED_SHARE:
            kept.append(item)
        else:
            left_out.append({"page_id": item.page.page_id, "page_type": item.page.page_type,
                             "aligned_share": round(item.gold.aligned_share, 4)})
    progress.finish()
    summary = {
        "benchmark": benchmark, "view": view, "converter": name, "converter_version": version,
        "min_aligned_share": MIN_ALIGNED_SHARE, "pages": len(pages) + len(skipped), "kept": len(kept),
        "kept_by_page_type": kept_by_type(kept),
        "left_out": left_out,
        "skipped": [{"page_id": s.page_id, "reason": s.reason} for s in skipped],
        "must_keep_sentences": sum(len(i.gold.must_keep) for i in kept),
        "must_keep_not_in_view": sum(i.gold.must_keep_missing for i in kept),
        "must_remove_spans": sum(i.gold.must_remove_found for i in kept),
    }
    if kept:
        write_corpus(out, kept, view, (name, version), summary)
    return summary
