"""Worst cases against normal inputs of the same size: every reader of untrusted input must stay
near-linear, so no hostile class may cost much more than a normal input of its size.

    python3 benchmarks/bench_hostile.py            # prints one line per class: normal s, hostile s, ratio
    python3 benchmarks/bench_hostile.py --scale 0.25   # smaller inputs, for a quick look

Each class builds a normal input and a hostile one of about the same number of bytes, runs the
same entry point on both (the one a command runs) and prints the two best-of-3 times and their
ratio. The target is no ratio above about 10. A hostile input that is refused counts its refusal
time: a refusal past a stated limit is the intended answer.

The near-duplicate classes run the corpus check (`neardup.candidate_groups` and `neardup.link`, as
`validate` does) on 400 documents of 3,000 characters: copies of one page, sliding windows of one
text (both a single linked set: n - 1 checks), and pages that share one long passage but stay below
the threshold (LSH pairs most of them; the prefix filter checks none).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsspan.evaluate.align import align_text  # noqa: E402
from newsspan.evaluate.jsonl import read_records  # noqa: E402
from newsspan.neardup import band_keys, candidate_groups, link  # noqa: E402
from newsspan.read import DocFiles  # noqa: E402
from newsspan.validate import check_document_files  # noqa: E402
from newsspan.validate.consistency import guidelines_versions  # noqa: E402

WORDS = ("the of and to in a is that for on was with he as it by at from his an were are which this be "
         "has or had not but their its they after two first new been who one more also city forces said").split()


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def page(chars: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    lines, size = [], 0
    while size < chars:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)[:chars].rstrip() + "\n"


# -- predictions lines -----------------------------------------------------------------------

def _jsonl(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def predictions_cases(folder: Path, scale: float) -> list[tuple[str, Path, Path]]:
    """A normal line is a cleaned page of the line's size, which `evaluate` reads and aligns onto
    its page; a hostile line of the same size is refused by the reader."""
    keys = int(100_000 * scale)
    many = "{" + ",".join(f'"k{i}": 1' for i in range(keys)) + ', "id": "d"}'
    repeated = "{" + ",".join('"k": 1' for _ in range(keys)) + ', "id": "d"}'
    normal = json.dumps({"id": "d", "text": page(len(many) - 20, seed=3)})
    deep = "[" * len(many)
    digits = '{"id": "d", "n": ' + "9" * (len(many) - 20) + "}"
    surrogates = json.dumps({"id": "d", "text": "a"}).replace('"a"', '"' + "\\ud800" * ((len(many) - 20) // 6) + '"')
    base = _jsonl(folder, "normal.jsonl", [normal])
    return [(name, base, _jsonl(folder, f"{name}.jsonl", [text])) for name, text in [
        ("predictions: 100k distinct keys", many), ("predictions: 100k repeated keys", repeated),
        ("predictions: nesting as deep as the line", deep), ("predictions: one number of the line's length", digits),
        ("predictions: lone surrogates", surrogates)]]


def _evaluated(path: Path) -> None:
    """What `evaluate` does with a line: read it, then align its text onto the page."""
    (record,), errors = read_records(path, "n")
    assert not errors
    text = record.value["text"]
    align_text(page(len(text) + len(text) // 3, seed=3), text)


# -- annotation files ------------------------------------------------------------------------

def _corpus(folder: Path, raw: str, spans: list[dict]) -> DocFiles:
    (folder / "raw").mkdir(parents=True)
    (folder / "annotations").mkdir()
    data = raw.encode("utf-8")
    (folder / "raw" / "doc.txt").write_bytes(data)
    annotation = {
        "schema_version": "1.0", "doc_id": "doc",
        "metadata": {"source_url": None, "publisher": "Bench", "title": "Bench", "published_date": None, "language": "en",
                     "translation": None, "raw_format": "text", "rights": "generated", "raw_sha256": hashlib.sha256(data).hexdigest()},
        "near_duplicate_group": None, "split": "train",
        "provenance": {"annotators": ["bench"], "status": "draft", "guidelines_version": "1.0"},
        "boilerplate": [], "entities": spans, "quotes": [],
    }
    (folder / "annotations" / "doc.json").write_text(json.dumps(annotation), encoding="utf-8")
    return DocFiles("doc", folder / "annotations" / "doc.json", folder / "raw" / "doc.txt")


def span_cases(folder: Path, scale: float) -> list[tuple[str, DocFiles, DocFiles]]:
    raw = page(int(2_000_000 * scale))
    count = 400
    # Normal: 400 entities with exact offsets, spread over the page.
    at = [raw.find(" city ", i * len(raw) // count) for i in range(count)]
    normal = [{"id": f"e{i + 1}", "start": a + 1, "end": a + 5, "label": "GPE", "text": "city"} for i, a in enumerate(at) if a >= 0]
    by_word = [{"id": f"e{i + 1}", "label": "GPE", "text": "the"} for i in range(count)]
    by_words = [{"id": f"e{i + 1}", "label": "GPE", "text": WORDS[i % len(WORDS)]} for i in range(count)]
    by_start = [{"id": f"e{i + 1}", "label": "GPE", "text": "the", "start": i * len(raw) // count} for i in range(count)]
    by_nth = [{"id": f"e{i + 1}", "label": "GPE", "text": "the", "occurrence": 10 ** 6} for i in range(count)]
    wrong = [{"id": f"e{i + 1}", "start": 0, "end": 3, "label": "GPE", "text": "of "} for i in range(count)]
    absent = [{"id": f"e{i + 1}", "label": "GPE", "text": f"Kherson\u2019s {i}"} for i in range(count)]
    absent_at = [{"id": f"e{i + 1}", "start": 0, "end": 3, "label": "GPE", "text": f"Kherson\u2019s {i}"} for i in range(count)]
    made = {}
    for name, spans in [("normal", normal), ("by text: one common word", by_word), ("by text: common words", by_words),
                        ("by text: common word near a start", by_start), ("by text: occurrence 1e6 of a common word", by_nth),
                        ("wrong offsets of a common word", wrong), ("by text: not on the page", absent),
                        ("wrong offsets of a text not on the page", absent_at)]:
        made[name] = _corpus(folder / name.replace(" ", "-").replace(":", ""), raw, spans)
    return [(f"validate 2 MB page, 400 spans {name}", made["normal"], files) for name, files in made.items() if name != "normal"]


# -- alignment -------------------------------------------------------------------------------

def align_cases(scale: float) -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    raw = page(int(60_000 * scale), seed=1)
    size = len(raw)
    normal = (raw, raw[size // 10: size // 10 + size // 2] + "\n" + raw[-size // 4:])
    return [
        ("align: 60k repeated characters", normal, (raw, "e" * size)),
        ("align: 60k repeated 'the '", normal, (raw, ("the " * size)[:size])),
        ("align: page reversed by lines", normal, (raw, "\n".join(raw.splitlines()[::-1]))),
        ("align: words shuffled", normal, (raw, " ".join(random.Random(2).sample(raw.split(), len(raw.split()))))),
        ("align: text 3x the page", normal, (raw, raw * 3)),
    ]


# -- near-duplicates -------------------------------------------------------------------------

def neardup_cases(scale: float) -> list[tuple[str, dict, dict]]:
    count = int(400 * scale) or 1
    normal = {f"d{i}": page(3000, seed=100 + i) for i in range(count)}
    same = page(3000, seed=7)
    copies = {f"d{i}": same for i in range(count)}
    windows = {f"d{i}": (same * 3)[i * 7: i * 7 + 3000] for i in range(count)}
    passage = page(1000, seed=8)
    shared = {f"d{i}": passage + page(2000, seed=100 + i) for i in range(count)}
    return [("near-duplicates: every document the same", normal, copies),
            ("near-duplicates: sliding windows of one text", normal, windows),
            ("near-duplicates: one long passage shared, all below the threshold", normal, shared)]


def _corpus_check(texts: dict[str, str]) -> None:
    link(candidate_groups({doc_id: band_keys(text) for doc_id, text in texts.items()}), texts.__getitem__)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the inputs (1: the sizes in the names)")
    args = parser.parse_args()
    rows = _Rows()
    versions = guidelines_versions()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as work:
        folder = Path(work)
        for name, normal, hostile in predictions_cases(folder, args.scale):
            rows.append((name, best(lambda: _evaluated(normal), 2), best(lambda: read_records(hostile, "h"), 2)))
        for name, normal, hostile in span_cases(folder, args.scale):
            rows.append((name, best(lambda: check_document_files(normal, versions), 2),
                         best(lambda: check_document_files(hostile, versions), 2)))
    for name, normal, hostile in align_cases(args.scale):
        rows.append((name, best(lambda: align_text(*normal), 2), best(lambda: align_text(*hostile), 2)))
    for name, normal, hostile in neardup_cases(args.scale):
        rows.append((name, best(lambda: _corpus_check(normal), 2), best(lambda: _corpus_check(hostile), 2)))
    print(f"worst ratio: {rows.worst:.1f}x (target: about 10x or less)")
    return 0


class _Rows:
    """Prints each class as soon as it is measured (a full run takes minutes)."""
    WIDTH = 72

    def __init__(self):
        self.worst = 0.0
        print(f"{'class':<{self.WIDTH}}  normal s  hostile s  ratio", flush=True)

    def append(self, row: tuple[str, float, float]) -> None:
        name, normal, hostile = row
        ratio = hostile / max(normal, 1e-9)
        self.worst = max(self.worst, ratio)
        print(f"{name:<{self.WIDTH}}  {normal:8.3f}  {hostile:9.3f}  {ratio:5.1f}x", flush=True)


if __name__ == "__main__":
    sys.exit(main())
