"""Generated parts of the docs must match what the code and the data give now."""
import itertools
import re
import subprocess
import sys

import pyarrow.parquet as pq

from newsspan.docs import REGENERATE, block, codes_table, figures_markdown, load_example
from newsspan.features import CONFIGS
from newsspan.neardup import jaccard, shingles
from newsspan.records import SPLITS

from conftest import REPO


def _read(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


STALE = f"a generated block is stale: run {REGENERATE} and commit README.md and DATASHEET.md"


def test_readme_code_table_is_current():
    assert block(_read("README.md"), "codes") == codes_table(), STALE


def test_figures_in_readme_and_datasheet_match_the_built_release(release):
    """The figures are those of the current version as built, whatever pages the corpus holds."""
    table = {c: {s: [r for p in sorted((release / "data" / c).glob(f"{s}-*.parquet")) for r in pq.read_table(p).to_pylist()]
                 for s in SPLITS} for c in CONFIGS}
    expected = figures_markdown(table)
    assert block(_read("DATASHEET.md"), "figures") == expected, STALE
    assert block(_read("README.md"), "figures") == expected, STALE


def test_readme_load_example_is_current_and_runs(release, tmp_path):
    readme_block = block(_read("README.md"), "load-example")
    assert readme_block == load_example(), STALE
    assert f'"dist/{release.name}"' in readme_block  # the current version, not a pinned one
    code = readme_block.removeprefix("```python\n").removesuffix("\n```")
    assert len(code.strip().splitlines()) <= 5
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / release.name).symlink_to(release, target_is_directory=True)
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    test_ids = {r["id"] for p in (release / "data" / "documents").glob("test-*.parquet") for r in pq.read_table(p, columns=["id"]).to_pylist()}
    assert proc.stdout.split()[0] in test_ids


def test_every_generated_block_is_current():
    """What `docs` would write is what is committed, block by block."""
    from newsspan.docs import generated_blocks

    for name, blocks in generated_blocks().items():
        for block_name, body in blocks.items():
            assert block(_read(name), block_name) == body, f"{name} block {block_name!r}: {STALE}"


def test_readme_near_duplicate_figures_of_version_0_1_are_true(seed_corpus):
    """The README's figures for version 0.1: the five seed pages."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (seed_corpus / "raw").iterdir()}
    scores = {(a, b): jaccard(shingles(texts[a]), shingles(texts[b])) for a, b in itertools.combinations(sorted(texts), 2)}
    group = [s for (a, b), s in scores.items() if a.startswith("moscowtimes") and b.startswith("moscowtimes")]
    others = [s for (a, b), s in scores.items() if not (a.startswith("moscowtimes") and b.startswith("moscowtimes"))]
    said = re.search(r"score ([0-9.]+), every other pair at most ([0-9.]+)", _read("README.md"))
    assert f"{group[0]:.2f}" == said.group(1)
    assert max(others) <= float(said.group(2))


def test_readme_states_the_enforced_limits():
    from newsspan import read

    text = " ".join(_read("README.md").split())
    assert f"raw files {read.MAX_RAW_BYTES // 2**20} MiB" in text
    assert f"annotation files {read.MAX_JSON_BYTES // 2**20} MiB" in text
    assert f"JSON nesting {read.MAX_JSON_DEPTH} levels" in text
    assert f"numbers {read.MAX_NUMBER_DIGITS} digits" in text
