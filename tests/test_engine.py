"""The distributed engine changes nothing in the output: a release built on a Dask cluster is the
local one, byte for byte, and so is a validation report.

The cluster is a real `distributed.LocalCluster` of two worker processes, started and stopped
here; the corpus is small (30 generated documents, those of test_scale), so the module takes a few seconds.
"""
import shutil
import sys
from pathlib import Path

import pytest

from newsspan import cli
from newsspan.engine import open_engine
from newsspan.release import build_release
from newsspan.validate import validate_corpus
from newsspan.validate.cache import BuildCache, ValidationCache, validation_salt
from newsspan.validate.consistency import guidelines_versions

from conftest import REPO
from test_scale import N_DOCS, PAIR_RATE, SEED, _corrupt

pytest.importorskip("distributed", reason="the dask extra is not installed (CI installs it: .ci/run)")

sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("engine") / "corpus"
    synth.generate(root, N_DOCS, SEED, pair_rate=PAIR_RATE)  # the corpus _corrupt expects
    return root


@pytest.fixture(scope="module")
def dask_engine():
    with open_engine("dask", jobs=2) as engine:
        assert engine.workers() == 2
        yield engine
    assert engine.client is None and engine.cluster is None  # stopped


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _cache(folder: Path) -> ValidationCache:
    return ValidationCache(folder, validation_salt(guidelines_versions()))


def test_a_release_built_on_dask_is_the_local_one_byte_for_byte(pristine, dask_engine, tmp_path):
    local = validate_corpus(pristine, keep_documents=False)  # one process: test_scale compares it with the pool
    assert local.ok
    built_local = build_release(local.documents, out_root=tmp_path / "local", corpus=pristine)

    on_dask = validate_corpus(pristine, keep_documents=False, engine=dask_engine)
    assert on_dask.incidents == local.incidents and list(on_dask.documents) == list(local.documents)
    built_dask = build_release(on_dask.documents, out_root=tmp_path / "dask", corpus=pristine, engine=dask_engine)

    expected = _files(built_local)
    assert sum(name.startswith("data/") for name in expected) == 4 * 3  # every config and split
    assert _files(built_dask) == expected  # every file, manifest and card included


def test_dask_with_caches_gives_the_same_release_and_replays(pristine, dask_engine, tmp_path):
    cold = build_release(validate_corpus(pristine, keep_documents=False).documents, out_root=tmp_path / "plain",
                         corpus=pristine)
    cache, build_cache = _cache(tmp_path / "cache"), BuildCache(tmp_path / "cache")
    outputs = []
    for run in ("cold", "warm"):
        report = validate_corpus(pristine, keep_documents=False, cache=cache, engine=dask_engine)
        assert report.from_cache == (0 if run == "cold" else N_DOCS)
        outputs.append(_files(build_release(report.documents, out_root=tmp_path / run, corpus=pristine,
                                            cache=build_cache, engine=dask_engine)))
    assert outputs[0] == outputs[1] == _files(cold)


def test_dask_reports_the_same_incidents_in_the_same_order(pristine, dask_engine, tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(pristine, root)
    codes = _corrupt(root)
    local = validate_corpus(root).incidents
    assert {i.code for i in local} == codes
    assert validate_corpus(root, engine=dask_engine).incidents == local


def test_a_worker_refusal_reaches_the_caller_and_leaves_no_release(pristine, dask_engine, tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(pristine, root)
    report = validate_corpus(root, keep_documents=False)
    victim = next(iter(report.documents))
    raw = root / "raw" / next(p.name for p in (root / "raw").iterdir() if p.stem == victim)
    raw.write_bytes(raw.read_bytes() + b" changed")
    from newsspan.write import BuildRefused
    with pytest.raises(BuildRefused, match="changed after it was validated"):
        build_release(report.documents, out_root=tmp_path / "dist", corpus=root, engine=dask_engine)
    assert [p.name for p in (tmp_path / "dist").iterdir() if not p.name.startswith(".")] == []


def test_without_the_extra_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    assert cli.main(["validate", "--engine", "dask", "-q"]) == 2
    err = capsys.readouterr().err
    assert "not installed" in err and "[dask]" in err and "Traceback" not in err


def test_scheduler_without_the_dask_engine_is_a_usage_error(capsys):
    assert cli.main(["validate", "--scheduler", "tcp://127.0.0.1:1", "-q"]) == 2
    assert "--engine dask" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_a_usage_error(monkeypatch, capsys):
    from newsspan.engine import dask_engine
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "1s")
    assert cli.main(["validate", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "-q"]) == 2
    err = capsys.readouterr().err
    assert "could not reach the scheduler at tcp://127.0.0.1:9" in err and "Traceback" not in err


def test_workers_with_other_code_or_libraries_are_named():
    from newsspan.engine.dask_engine import code_identity, mismatches
    here = code_identity()
    assert set(here["libraries"]) >= {"pyarrow", "datasets", "python"}
    other = {"tcp://a:1": here, "tcp://b:2": {"code": "0" * 64, "libraries": {**here["libraries"], "pyarrow": "1.0"}}}
    problems = mismatches(other, here)
    assert problems == ["tcp://b:2: another version of the newsspan package",
                        f"tcp://b:2: pyarrow 1.0 (here {here['libraries']['pyarrow']})"]
