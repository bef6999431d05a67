"""Scale benchmark of validate and build, against a floor measured in the same run.

    python3 benchmarks/bench_build.py                        # 1k and 10k documents, one core per job
    python3 benchmarks/bench_build.py --sizes 1000,10000,100000 --jobs 2

For each size it generates a synthetic corpus (benchmarks/synth.py, kept in --work for the next
run) and measures, each in a child process of its own so that peak memory figures do not mix:
- floor: read every raw and annotation file, json.loads, sha256 of the raw bytes, write one row
  per document (id, hash, raw text, annotation text) to Parquet with the release's writer
  options, in one process, without any check: the least any build must do;
- cold validate (empty cache), cold build (empty cache, after a validation replayed from the cache),
  warm validate of the unchanged corpus, warm validate + build after editing one annotation,
  and load_dataset of every config of the result.
Every figure is also given as a ratio to the floor. The report goes between the markers of
benchmarks/RESULTS.md; the rest of that file (the analysis) is left as it is.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The children measure a snapshot of the package taken when the run starts: other people edit the
# working tree meanwhile, and a changed file would invalidate the caches being measured.
CODE_ENV = "NEWSSPAN_BENCH_CODE"
CODE = Path(os.environ.get(CODE_ENV) or REPO)
SNAPSHOT = ("newsspan", "schema", "corpus/GUIDELINES.md", "pyproject.toml", "CHANGELOG.md")
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(CODE))

RESULTS = HERE / "RESULTS.md"
STEPS = ("floor", "cold_validate", "cold_build", "warm_validate", "edit_validate_build", "load_dataset", "floor_again")
SEED = 1


# -- measurements, each run in a child process ----------------------------------------------------

def _peaks() -> dict:
    """Peak resident memory in MB of this process and of its largest finished child (workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": round(own, 1), "workers_rss_mb": round(children, 1)}


def measure_floor(corpus: Path, out: Path, **_) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raws = {p.stem: p for p in (corpus / "raw").iterdir()}
    schema = pa.schema([("id", pa.string()), ("raw_sha256", pa.string()), ("raw_text", pa.string()), ("annotation", pa.string())])
    out.parent.mkdir(parents=True, exist_ok=True)
    rows, docs = [], 0
    started = time.perf_counter()
    with pq.ParquetWriter(out, schema, compression="zstd", compression_level=9, use_dictionary=True,
                          write_statistics=True, store_schema=True, version="2.6", data_page_version="1.0") as writer:
        for path in sorted((corpus / "annotations").iterdir()):
            text = path.read_text(encoding="utf-8")
            json.loads(text)
            data = raws[path.stem].read_bytes()
            rows.append({"id": path.stem, "raw_sha256": hashlib.sha256(data).hexdigest(),
                         "raw_text": data.decode("utf-8"), "annotation": text})
            docs += 1
            if len(rows) == 1000:
                writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=schema))
                rows = []
        if rows:
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=schema))
    return {"seconds": time.perf_counter() - started, "docs": docs}


def _validate(corpus: Path, cache_dir: Path | None, jobs: int):
    from newsspan.validate import validate_corpus
    from newsspan.validate.cache import ValidationCache, validation_salt
    from newsspan.validate.consistency import guidelines_versions

    cache = ValidationCache(cache_dir, validation_salt(guidelines_versions())) if cache_dir else None
    report = validate_corpus(corpus, jobs=jobs, cache=cache, keep_documents=False)
    if cache is not None:
        cache.close()
    if not report.ok:
        raise SystemExit(f"bench: the corpus has {len(report.errors)} errors, first: {report.errors[0]}")
    return report


def measure_validate(corpus: Path, cache_dir: Path, jobs: int, recall: bool = False, **_) -> dict:
    started = time.perf_counter()
    report = _validate(corpus, cache_dir, jobs)
    seconds = time.perf_counter() - started
    result = {"seconds": seconds, "docs": report.checked, "errors": len(report.errors), "from_cache": report.from_cache}
    if recall:
        result["near_duplicates"] = _recall(corpus, report.documents)
    return result


def _recall(corpus: Path, documents) -> dict:
    """How many planted near-duplicate pairs the LSH proposes, among those at or above the threshold."""
    import synth
    from newsspan.neardup import THRESHOLD, candidate_pairs, jaccard, shingles

    candidates = set(candidate_pairs({d: documents.stored(d).bands for d in documents}))
    planted = [tuple(sorted(p)) for p in synth.planted_pairs(len(documents), SEED)]
    scores = []
    for a, b in planted:
        texts = [Path(documents.stored(d).raw).read_text(encoding="utf-8") for d in (a, b)]
        scores.append((jaccard(shingles(texts[0]), shingles(texts[1])), (a, b) in candidates))
    above = [found for score, found in scores if score >= THRESHOLD]
    return {"planted": len(planted), "above_threshold": len(above), "found": sum(above),
            "candidates": len(candidates), "min_jaccard_above": round(min((s for s, _ in scores if s >= THRESHOLD), default=0), 3)}


def measure_build(corpus: Path, cache_dir: Path, out: Path, jobs: int, use_cache: bool = True, **_) -> dict:
    from newsspan.release import build_release
    from newsspan.validate.cache import BuildCache

    started = time.perf_counter()
    report = _validate(corpus, cache_dir if use_cache else None, jobs)
    validated = time.perf_counter()
    cache = BuildCache(cache_dir)
    listing = lambda: set(os.listdir(cache.folder)) if cache.folder.is_dir() else set()  # noqa: E731
    before = listing()
    target = build_release(report.documents, out_root=out, corpus=corpus, force=True, jobs=jobs,
                           cache=cache if use_cache else None)
    ended = time.perf_counter()
    manifest = json.loads((target / "MANIFEST.json").read_text())
    data = [f for f in manifest["files"] if f["path"].startswith("data/")]
    return {"seconds": ended - started, "validate_seconds": validated - started, "build_seconds": ended - validated,
            "docs": report.checked, "from_cache": report.from_cache, "shards": len(data),
            "pieces_derived": len({n for n in listing() - before if not n.startswith("shard-")}) if use_cache else None,
            "shards_encoded": len({n for n in listing() - before if n.startswith("shard-") and "-about" not in n})
            if use_cache else None,
            "output_mb": round(sum(f["bytes"] for f in data) / 1e6, 1),
            "data_sha256": hashlib.sha256("".join(f["path"] + f["sha256"] for f in data).encode()).hexdigest()}


def measure_engine(corpus: Path, cache_dir: Path, out: Path, jobs: int, **_) -> dict:
    """Cold validate + build on a local Dask cluster of `jobs` workers (its start and stop counted)."""
    from newsspan.engine import open_engine
    from newsspan.release import build_release
    from newsspan.validate import validate_corpus
    from newsspan.validate.cache import BuildCache, ValidationCache, validation_salt
    from newsspan.validate.consistency import guidelines_versions

    started = time.perf_counter()
    with open_engine("dask", jobs=jobs) as engine:
        up = time.perf_counter()
        cache = ValidationCache(cache_dir, validation_salt(guidelines_versions()))
        report = validate_corpus(corpus, cache=cache, keep_documents=False, engine=engine)
        cache.close()
        validated = time.perf_counter()
        target = build_release(report.documents, out_root=out, corpus=corpus, force=True, cache=BuildCache(cache_dir),
                               engine=engine)
        built = time.perf_counter()
    ended = time.perf_counter()
    manifest = json.loads((target / "MANIFEST.json").read_text())
    data = [f for f in manifest["files"] if f["path"].startswith("data/")]
    return {"seconds": ended - started, "start_seconds": up - started, "validate_seconds": validated - up,
            "build_seconds": built - validated, "stop_seconds": ended - built, "docs": report.checked,
            "data_sha256": hashlib.sha256("".join(f["path"] + f["sha256"] for f in data).encode()).hexdigest()}


PEER_BATCH = 2000  # files per check-jsonschema call (a command line holds a few thousand paths)
# check-jsonschema takes about 6 ms of CPU per file here: above this many files it checks every
# k-th file (sorted by name) and its time is scaled by k; the report says so.
PEER_SAMPLE_FILES = 10_000


def measure_check_jsonschema(corpus: Path, jobs: int, **_) -> dict:
    """Peer (a): `check-jsonschema --schemafile` on the annotation files, `jobs` calls at a time:
    what a corpus repository would otherwise run in CI (the schema layer only)."""
    exe = shutil.which("check-jsonschema")
    if exe is None:
        raise SystemExit("bench: check-jsonschema is not installed (python3 -m pip install 'check-jsonschema==0.39.0')")
    every = sorted(str(p) for p in (corpus / "annotations").iterdir())
    step = -(-len(every) // PEER_SAMPLE_FILES)
    files = every[::step]
    batches = [files[i:i + PEER_BATCH] for i in range(0, len(files), PEER_BATCH)]
    schema = str(CODE / "schema" / "annotation.schema.json")
    started = time.perf_counter()
    running: list[subprocess.Popen] = []
    failed = 0
    for batch in batches:
        if len(running) >= jobs:
            failed += running.pop(0).wait() != 0
        running.append(subprocess.Popen([exe, "--schemafile", schema, *batch], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
    for proc in running:
        failed += proc.wait() != 0
    seconds = time.perf_counter() - started
    if failed:
        raise SystemExit(f"bench: check-jsonschema rejected {failed} batches of the generated corpus")
    return {"seconds": seconds * len(every) / len(files), "measured_seconds": seconds, "docs": len(every),
            "checked": len(files), "calls": len(batches)}


def _peer_rows(pairs: list[tuple[str, str]]):
    from newsspan.derive import document_row
    from newsspan.records import Document

    for annotation, raw in pairs:
        yield document_row(Document.from_json(json.loads(Path(annotation).read_bytes()),
                                              Path(raw).read_bytes().decode("utf-8")))


def measure_from_generator(corpus: Path, out: Path, jobs: int, **_) -> dict:
    """Peer (b): the `documents` config written the way a `datasets` user would: rows from a
    generator over the files (no checks), `Dataset.from_generator(num_proc=jobs).to_parquet()`."""
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    home = Path(tempfile.mkdtemp(prefix="newsspan-bench-hf-"))
    os.environ["HF_HOME"] = str(home)
    from datasets import Dataset, disable_progress_bars

    from newsspan.features import CONFIGS

    disable_progress_bars()
    raws = {p.stem: str(p) for p in (corpus / "raw").iterdir()}
    pairs = [(str(p), raws[p.stem]) for p in sorted((corpus / "annotations").iterdir())]
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    dataset = Dataset.from_generator(_peer_rows, features=CONFIGS["documents"], gen_kwargs={"pairs": pairs},  # datasets cuts the list among the processes
                                     num_proc=jobs, cache_dir=str(home / "cache"))
    dataset.to_parquet(str(out / "documents.parquet"))
    seconds = time.perf_counter() - started
    shutil.rmtree(home, ignore_errors=True)
    return {"seconds": seconds, "docs": len(dataset), "output_mb": round((out / "documents.parquet").stat().st_size / 1e6, 1)}


def measure_load(out: Path, **_) -> dict:
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="newsspan-bench-hf-")
    from datasets import load_dataset

    from newsspan.features import CONFIGS

    target = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    started = time.perf_counter()
    rows = 0
    for config in CONFIGS:
        loaded = load_dataset(str(target), config)
        rows += sum(len(split) for split in loaded.values())
    seconds = time.perf_counter() - started
    shutil.rmtree(os.environ["HF_HOME"], ignore_errors=True)
    return {"seconds": seconds, "rows": rows}


def measure_profile(corpus: Path, out: Path, **_) -> dict:
    """Where the time goes: validate and build in one process, without cache, under pyinstrument."""
    from pyinstrument import Profiler

    from newsspan.release import build_release
    from newsspan.validate import validate_corpus

    profiler = Profiler()
    started = time.perf_counter()
    with profiler:
        report = validate_corpus(corpus, keep_documents=False)
        build_release(report.documents, out_root=out, corpus=corpus, force=True)
    print(profiler.output_text(show_all=False), file=sys.stderr)
    return {"seconds": time.perf_counter() - started}


MEASURES = {"floor": measure_floor, "validate": measure_validate, "build": measure_build, "load": measure_load,
            "profile": measure_profile, "engine": measure_engine, "check_jsonschema": measure_check_jsonschema,
            "from_generator": measure_from_generator}


def child_main(spec: str) -> None:
    args = json.loads(spec)
    kind = args.pop("kind")
    paths = {k: Path(v) if k in ("corpus", "cache_dir", "out") else v for k, v in args.items()}
    result = MEASURES[kind](**paths)
    result.update(_peaks())
    print(json.dumps(result))


def run_child(kind: str, **args) -> dict:
    spec = json.dumps({"kind": kind, **{k: str(v) if isinstance(v, Path) else v for k, v in args.items()}})
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", spec], cwd=CODE,
                          capture_output=True, text=True, env={**os.environ, CODE_ENV: str(CODE)})
    if proc.returncode != 0:
        raise SystemExit(f"bench: {kind} failed:\n{proc.stderr[-4000:]}")
    if kind == "profile":
        print(proc.stderr, file=sys.stderr)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # Each step as it ends (a run stopped early still shows what it measured).
    print(f"bench: step {kind} {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


# -- one size --------------------------------------------------------------------------------

@dataclass
class Corpus:
    root: Path
    docs: int
    raw_mb: float
    annotation_mb: float
    spans: tuple[int, float, int]
    generated_seconds: float | None


def ensure_corpus(work: Path, size: int, jobs: int) -> Corpus:
    import synth

    root = work / f"corpus-{size}-seed{SEED}"
    generated = None
    if not (root / ".complete").is_file():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        synth.generate(root, size, SEED, jobs)
        generated = time.perf_counter() - started
        (root / ".complete").write_text(json.dumps(_corpus_stats(root)))
    stats = json.loads((root / ".complete").read_text())
    return Corpus(root, size, stats["raw_mb"], stats["annotation_mb"], tuple(stats["spans"]), generated)


def _corpus_stats(root: Path) -> dict:
    raw = sum(p.stat().st_size for p in (root / "raw").iterdir())
    annotation_bytes, spans = 0, []
    for path in (root / "annotations").iterdir():
        data = path.read_bytes()
        annotation_bytes += len(data)
        obj = json.loads(data)
        spans.append(len(obj["boilerplate"]) + len(obj["entities"]) + len(obj["quotes"]))
    return {"raw_mb": round(raw / 1e6, 1), "annotation_mb": round(annotation_bytes / 1e6, 1),
            "spans": [min(spans), round(sum(spans) / len(spans), 1), max(spans)]}


def edit_one_annotation(root: Path) -> tuple[Path, bytes]:
    """Relabel the first entity of the first train document (to a label that can still speak)."""
    from newsspan.fmt import format_annotation

    for path in sorted((root / "annotations").iterdir()):
        original = path.read_bytes()
        obj = json.loads(original)
        if obj["split"] == "train" and obj["entities"]:
            entity = obj["entities"][0]
            entity["label"] = "GPE" if entity["label"] == "ORG" else "ORG"
            path.write_text(format_annotation(obj), encoding="utf-8")
            return path, original
    raise SystemExit("bench: no train document with an entity to edit")


ENGINE_MAX_DOCS = 10_000  # the Dask engine is measured up to this size (its overhead, not its scale-out)


def bench_size(work: Path, size: int, jobs: int, check_identical: bool) -> dict:
    corpus = ensure_corpus(work, size, jobs)
    run = work / f"run-{size}"
    shutil.rmtree(run, ignore_errors=True)
    cache, out = run / "cache", run / "dist"
    print(f"bench: {size} documents ({corpus.raw_mb} MB raw)", file=sys.stderr, flush=True)
    steps = {"floor": run_child("floor", corpus=corpus.root, out=run / "floor.parquet")}
    steps["cold_validate"] = run_child("validate", corpus=corpus.root, cache_dir=cache, jobs=jobs)
    steps["cold_build"] = run_child("build", corpus=corpus.root, cache_dir=cache, out=out, jobs=jobs)
    steps["warm_validate"] = run_child("validate", corpus=corpus.root, cache_dir=cache, jobs=jobs)
    # The LSH recall check holds every band key at once: a child of its own, not the measured validate.
    steps["recall"] = run_child("validate", corpus=corpus.root, cache_dir=cache, jobs=jobs, recall=True)
    path, original = edit_one_annotation(corpus.root)
    try:
        steps["edit_validate_build"] = run_child("build", corpus=corpus.root, cache_dir=cache, out=out, jobs=jobs)
    finally:
        path.write_bytes(original)
    steps["load_dataset"] = run_child("load", out=out)
    steps["peer_check_jsonschema"] = run_child("check_jsonschema", corpus=corpus.root, jobs=jobs)
    steps["peer_from_generator"] = run_child("from_generator", corpus=corpus.root, out=run / "peer", jobs=jobs)
    if size <= ENGINE_MAX_DOCS:
        steps["engine_dask"] = run_child("engine", corpus=corpus.root, cache_dir=run / "cache-dask", out=run / "dist-dask",
                                         jobs=jobs)
    # Measured again last: on shared cores one measurement can be twice the other, and the faster
    # floor (the harder one to stay near) is the one the ratios use.
    steps["floor_again"] = run_child("floor", corpus=corpus.root, out=run / "floor.parquet")
    identical = None
    if check_identical:
        single = run_child("build", corpus=corpus.root, cache_dir=run / "unused", out=run / "dist-single", jobs=1,
                           use_cache=False)
        again = run_child("build", corpus=corpus.root, cache_dir=cache, out=out, jobs=jobs)
        identical = single["data_sha256"] == steps["cold_build"]["data_sha256"] == again["data_sha256"]
    shutil.rmtree(run, ignore_errors=True)
    for name, step in steps.items():
        print(f"bench: {size} {name}: {step['seconds']:.1f} s", file=sys.stderr, flush=True)
    return {"corpus": corpus, "steps": steps, "identical": identical}


# -- the report ---------------------------------------------------------------------------------

def machine() -> dict:
    from importlib import metadata

    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    libs = {name: metadata.version(name) for name in ("pyarrow", "datasets", "jsonschema", "datasketch", "numpy")}
    return {"nproc": os.cpu_count(), "cores_available": len(os.sched_getaffinity(0)), "memory_gb": round(int(mem) / 1e6, 1),
            "cpu": cpu, "python": platform.python_version(), "libraries": libs, "load": os.getloadavg()}


def _row(name: str, step: dict, floor: float, corpus: Corpus) -> str:
    seconds = step["seconds"]
    mb = corpus.raw_mb + corpus.annotation_mb
    docs_s = corpus.docs / seconds if seconds else 0
    return (f"| {name} | {seconds:.1f} | {docs_s:,.0f} | {mb / seconds:.1f} | {step['rss_mb']:.0f} | "
            f"{step['workers_rss_mb']:.0f} | {seconds / floor:.2f} |")


def _sampled(step: dict) -> str:
    if step["checked"] == step["docs"]:
        return ""
    return (f"; measured on every {step['docs'] // step['checked']}th file, {step['checked']:,} of {step['docs']:,}, in "
            f"{step['measured_seconds']:.1f} s, scaled to all")


def _peer_lines(steps: dict, floor: float, cold: float, c: Corpus, jobs: int) -> list[str]:
    """The peers and the engine, run in the same run on the same corpus, as ratios."""
    validate, build = steps["cold_validate"]["seconds"], steps["cold_build"]["build_seconds"]
    schema, gen = steps["peer_check_jsonschema"], steps["peer_from_generator"]
    lines = ["", "| same run, same corpus | seconds | peak RSS MB | × floor | NewsSpan ÷ peer |", "|---|---|---|---|---|",
             f"| peer (a): `check-jsonschema --schemafile`, schema layer only, {jobs} calls at a time "
             f"({schema['calls']} call{'s' if schema['calls'] != 1 else ''} of up to {PEER_BATCH} files){_sampled(schema)} | {schema['seconds']:.1f} | {schema['rss_mb']:.0f} | "
             f"{schema['seconds'] / floor:.2f} | cold validate, 4 layers: **{validate / schema['seconds']:.2f}** |",
             f"| peer (b): `datasets` `Dataset.from_generator(num_proc={jobs}).to_parquet()`, `documents` config only "
             f"({gen['output_mb']} MB) | {gen['seconds']:.1f} | {gen['rss_mb']:.0f} | {gen['seconds'] / floor:.2f} | "
             f"cold build, 4 configs: **{build / gen['seconds']:.2f}** |"]
    engine = steps.get("engine_dask")
    if engine is not None:
        same = "identical" if engine["data_sha256"] == steps["cold_build"]["data_sha256"] else "DIFFERENT"
        lines.append(f"| `--engine dask`, local cluster of {jobs} workers: cold validate ({engine['validate_seconds']:.1f} s) "
                     f"+ build ({engine['build_seconds']:.1f} s), cluster start {engine['start_seconds']:.1f} s and stop "
                     f"{engine['stop_seconds']:.1f} s included; data files {same} to the local build's | "
                     f"{engine['seconds']:.1f} | {engine['rss_mb']:.0f} | {engine['seconds'] / floor:.2f} | "
                     f"÷ `--engine local` cold validate + build: **{engine['seconds'] / cold:.2f}** |")
    return lines


def render(results: list[dict], info: dict, jobs: int, load_end: tuple) -> str:
    libs = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    lines = [
        f"Measured on {date.today().isoformat()} with `python3 benchmarks/bench_build.py --sizes "
        f"{','.join(str(r['corpus'].docs) for r in results)} --jobs {jobs}{info['options']}`.",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cores_available']} available), {info['memory_gb']} GB memory, {info['cpu']}; "
        f"Python {info['python']}; {libs}. Load average at start {info['load'][0]:.1f}, at end {load_end[0]:.1f} "
        "(the 2 cores are shared with other work: absolute times vary, ratios to the floor of the same run less). "
        f"Code measured: a snapshot of the working tree, package fingerprint `{info['code'][:12]}`.",
        "",
        "| documents | raw MB | annotation MB | spans per doc (min / mean / max) | generated in |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        c = r["corpus"]
        made = f"{c.generated_seconds:.0f} s" if c.generated_seconds else "(kept from an earlier run)"
        lines.append(f"| {c.docs:,} | {c.raw_mb} | {c.annotation_mb} | {c.spans[0]} / {c.spans[1]} / {c.spans[2]} | {made} |")
    for r in results:
        c, steps = r["corpus"], r["steps"]
        floors = [steps[name]["seconds"] for name in ("floor", "floor_again") if name in steps]
        floor = min(floors)
        cold = steps["cold_validate"]["seconds"] + steps["cold_build"]["build_seconds"]
        lines += ["", f"### {c.docs:,} documents", "",
                  "| step | seconds | docs/s | MB/s (raw + annotations) | peak RSS MB | peak RSS of a worker MB | × floor |",
                  "|---|---|---|---|---|---|---|"]
        fastest = min((steps[name] for name in ("floor", "floor_again") if name in steps), key=lambda st: st["seconds"])
        lines.append(_row(f"floor (1 process, no checks; the faster of {' s and '.join(f'{f:.1f}' for f in floors)} s, "
                          "first and last step)", fastest, floor, c))
        lines.append(_row("cold validate", steps["cold_validate"], floor, c))
        build = dict(steps["cold_build"], seconds=steps["cold_build"]["build_seconds"])
        lines.append(_row(f"cold build ({steps['cold_build']['shards']} shards, {steps['cold_build']['output_mb']} MB)", build, floor, c))
        lines.append(f"| **cold validate + build** | {cold:.1f} | {c.docs / cold:,.0f} | {(c.raw_mb + c.annotation_mb) / cold:.1f} | | | "
                     f"**{cold / floor:.2f}** |")
        lines.append(_row("warm validate, unchanged corpus", steps["warm_validate"], floor, c))
        edit = steps["edit_validate_build"]
        lines.append(_row(f"edit 1 annotation: validate ({edit['validate_seconds']:.1f} s) + build ({edit['build_seconds']:.1f} s), "
                          f"rows of {edit['pieces_derived']} of {steps['cold_build']['pieces_derived']} pieces derived again, "
                          f"{edit['shards_encoded']} of {steps['cold_build']['shards']} shards encoded again (the others "
                          "hard-linked from the build cache after a sha256 check)",
                          edit, floor, c))
        lines.append(_row("load_dataset, all 4 configs", steps["load_dataset"], floor, c))
        near = steps["recall"]["near_duplicates"]
        lines += ["", f"Near-duplicates: {near['planted']} planted pairs, {near['above_threshold']} of them at or above the "
                  f"0.30 threshold (lowest {near['min_jaccard_above']}); LSH proposed {near['found']} of those "
                  f"(recall {near['found'] / max(1, near['above_threshold']):.0%}) among {near['candidates']} candidate pairs."]
        lines += _peer_lines(steps, floor, cold, c, jobs)
        if r["identical"] is not None:
            lines.append(f"Output of 1 process without cache = {jobs} processes cold = {jobs} processes from cache: "
                         f"{'identical' if r['identical'] else 'DIFFERENT'} (sha256 of every data file).")
    return "\n".join(lines)


def write_results(text: str, path: Path = RESULTS, block: str = "bench") -> None:
    """Put `text` between the `<!-- block:start -->` and `<!-- block:end -->` markers of `path`."""
    start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
    current = path.read_text(encoding="utf-8") if path.is_file() else "# Scale benchmark\n"
    if start not in current or end not in current:
        current += f"\n{start}\n{end}\n"
    head, rest = current.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def snapshot_code(work: Path, given: Path | None) -> str:
    """Copy the package and what it reads beside it to `work/code` (or use `given`, a copy made
    elsewhere, e.g. with a proposed change); return its code fingerprint."""
    global CODE
    if given is not None:
        CODE = given.resolve()
        from newsspan.validate.cache import code_fingerprint
        return code_fingerprint(CODE / "newsspan")
    target = work / "code"
    shutil.rmtree(target, ignore_errors=True)
    for name in SNAPSHOT:
        source, dest = REPO / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest)
    CODE = target
    from newsspan.validate.cache import code_fingerprint
    return code_fingerprint(target / "newsspan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark validate and build on synthetic corpora.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default 1000,10000)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for validate and build (default 2)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsspan-bench",
                        help="where corpora (kept between runs) and outputs go; never inside the repository")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to update (default benchmarks/RESULTS.md)")
    parser.add_argument("--code", type=Path, default=None,
                        help="measure this copy of the repository's code instead of a snapshot of the working tree")
    parser.add_argument("--block", default="bench", help="name of the marked block of the results file to fill")
    parser.add_argument("--profile", action="store_true",
                        help="only profile validate + build of the first size in one process (needs pyinstrument); no results file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    args.work.mkdir(parents=True, exist_ok=True)
    info = machine()
    info["code"] = snapshot_code(args.work, args.code)
    info["options"] = (" --code COPY" if args.code else "") + (f" --block {args.block}" if args.block != "bench" else "")
    if args.profile:
        corpus = ensure_corpus(args.work, sizes[0], args.jobs)
        run_child("profile", corpus=corpus.root, out=args.work / f"profile-{sizes[0]}")
        return 0
    results = []
    for size in sizes:
        results.append(bench_size(args.work, size, args.jobs, check_identical=(size == min(sizes))))
        # Written after each size: a long run stopped early still reports the sizes it finished.
        write_results(render(results, info, args.jobs, os.getloadavg()), args.results, args.block)
    print(f"bench: wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
