"""The release's dataset card (README.md with Hugging Face YAML), generated from the built rows."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml
from datasets import ClassLabel, Features, List

from .features import BLOCK_KINDS, CONFIGS, DESCRIPTIONS
from .records import BOILERPLATE_LABELS, ENTITY_LABELS, QUOTE_TYPES, SPLITS

LOAD_EXAMPLE = '''from datasets import load_dataset

docs = load_dataset("dist/{version}", "documents", split="test")
names = docs.features["boilerplate"].feature["label"].names
print(docs[0]["id"], [names[s["label"]] for s in docs[0]["boilerplate"]])'''


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "n>1M"


def arrow_bytes(path: Path) -> int:
    """A Parquet file's rows as `datasets` holds them: the bytes of their Arrow buffers once read.
    This is what `datasets` counts as a split's `num_bytes`; the files themselves are compressed
    (their size is the card's `download_size`). Measured where the shard is written, while it is
    in the page cache, and kept with it in the build cache."""
    # One row group at a time: a shard read whole would hold its decompressed rows in memory.
    parquet = pq.ParquetFile(path, memory_map=True)
    return sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))


def _front_matter(version: str, fingerprint: str, rows: dict, files: list, in_memory: dict[str, int]) -> dict:
    sizes = {(f.config, f.split): 0 for f in files if f.config}
    memory = dict(sizes)
    for f in files:
        if f.config:
            sizes[(f.config, f.split)] += f.bytes
            memory[(f.config, f.split)] += in_memory[f.path]
    n_docs = sum(rows["documents"][s] for s in SPLITS)
    return {
        "pretty_name": "NewsSpan",
        "license": "other",
        "license_name": "newsspan-mixed",
        "license_details": "Annotations: CC BY 4.0. Raw page texts: copyright of their publishers, redistributed for "
                           "non-commercial research on text extraction.",
        "language": ["en"],
        "multilinguality": ["monolingual"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [_size_category(n_docs)],
        "annotations_creators": ["expert-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "newsspan": {"version": version, "source_fingerprint": fingerprint},
        "configs": [
            {"config_name": config, "data_files": [
                {"split": split, "path": sorted(f.path for f in files if f.config == config and f.split == split)}
                for split in SPLITS]}
            for config in CONFIGS],
        "dataset_info": [
            {"config_name": config, "features": features._to_yaml_list(),
             "splits": [{"name": split, "num_bytes": memory[(config, split)], "num_examples": rows[config][split]}
                        for split in SPLITS],
             "download_size": sum(sizes[(config, s)] for s in SPLITS),
             "dataset_size": sum(memory[(config, s)] for s in SPLITS)}
            for config, features in CONFIGS.items()],
    }


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _describe_feature(feature) -> str:
    if isinstance(feature, ClassLabel):
        return "class label: " + ", ".join(feature.names)
    if isinstance(feature, List):
        return "list of " + _describe_feature(feature.feature)
    if isinstance(feature, dict):
        return "struct {" + ", ".join(f"{k}: {_describe_feature(v)}" for k, v in feature.items()) + "}"
    return getattr(feature, "dtype", type(feature).__name__)


def _fields(features: Features) -> str:
    return _table(["field", "type"], [[f"`{name}`", _describe_feature(f)] for name, f in features.items()])


# The label distribution the card shows, counted from Arrow batches of the written rows: worker
# processes count the shards they write and the main process only adds the counts up, so the card
# costs no second pass over the data and no memory that grows with it.
LAYERS = ("boilerplate spans", "boilerplate characters", "entity mentions", "quotes", "blocks")


def batch_label_counts(config: str, batch: pa.RecordBatch) -> dict[str, Counter]:
    """The card's label counts in one batch of a config's rows (only `documents` and `blocks` count)."""
    if config == "blocks":
        return {"blocks": _named(batch.column("kind"), BLOCK_KINDS)}
    if config != "documents":
        return {}
    spans = batch.column("boilerplate").flatten()
    lengths = pa.table({"label": spans.field("label"), "chars": pc.subtract(spans.field("end"), spans.field("start"))})
    chars = lengths.group_by("label").aggregate([("chars", "sum")])
    return {
        "boilerplate spans": _named(spans.field("label"), BOILERPLATE_LABELS),
        "boilerplate characters": Counter({BOILERPLATE_LABELS[label]: total for label, total
                                           in zip(chars["label"].to_pylist(), chars["chars_sum"].to_pylist())}),
        "entity mentions": _named(batch.column("entities").flatten().field("label"), ENTITY_LABELS),
        "quotes": _named(batch.column("quotes").flatten().field("type"), QUOTE_TYPES),
    }


def _imported_note(counts: dict[str, Counter]) -> str:
    """A paragraph for a build whose entity and quote layers are empty (an imported benchmark corpus)."""
    if sum(counts.get("entity mentions", Counter()).values()) or sum(counts.get("quotes", Counter()).values()):
        return ""
    unknown = counts.get("boilerplate spans", Counter()).get("unknown", 0)
    origin = (" It is a public extraction benchmark imported with `build_dataset.py import-benchmark`: its "
              "boilerplate is what the benchmark's ground truth does not cover (label `unknown`, of no known kind) "
              "and the strings it says must go (`must-remove`).") if unknown else ""
    return ("\n**The `entities` and `quotes` layers of this build are empty**: no document has entity mentions "
            f"or quotations, so the `ner` and `quotes` configs hold no annotation.{origin}\n")


def _named(values: pa.Array, names: tuple[str, ...]) -> Counter:
    counted = values.value_counts()
    return Counter({names[v]: n for v, n in zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist())})


def add_counts(total: dict[str, Counter], more: dict[str, Counter]) -> dict[str, Counter]:
    for layer, counts in more.items():
        total.setdefault(layer, Counter()).update(counts)
    return total


def label_counts(table: dict) -> dict[str, Counter]:
    """The card's label counts of rows held in memory (config -> split -> rows)."""
    total: dict[str, Counter] = {}
    for config in ("documents", "blocks"):
        schema = CONFIGS[config].arrow_schema
        for split in SPLITS:
            add_counts(total, batch_label_counts(config, pa.RecordBatch.from_pylist(list(table[config][split]), schema=schema)))
    return ordered_counts(total)


def ordered_counts(total: dict[str, Counter]) -> dict[str, Counter]:
    return {layer: total.get(layer, Counter()) for layer in LAYERS}


def render_card(version: str, fingerprint: str, rows: dict[str, dict[str, int]], counts: dict[str, Counter],
                files: list, in_memory: dict[str, int], citation: str) -> str:
    """The card, from the row count of every config split, the label counts of the rows, the data
    files with their in-memory sizes (`arrow_bytes`) and the citation: all it shows is given."""
    meta = yaml.safe_dump(_front_matter(version, fingerprint, rows, files, in_memory), sort_keys=False,
                          allow_unicode=True, width=1000)
    split_rows = [[config] + [rows[config][s] for s in SPLITS] for config in CONFIGS]
    counts = ordered_counts(counts)
    label_sections = "\n\n".join(
        f"**{name}**\n\n" + _table(["label", "count"], sorted(([k, v] for k, v in c.items()), key=lambda r: (-r[1], r[0]))) for name, c in counts.items())
    configs = "\n\n".join(f"### `{c}`\n\n{DESCRIPTIONS[c]}\n\n{_fields(f)}" for c, f in CONFIGS.items())
    imported = _imported_note(counts)
    return f"""---
{meta}---

# NewsSpan {version}

Scraped news pages kept byte-exact, with standoff annotations: character-level **boilerplate**
spans ({len(BOILERPLATE_LABELS)} labels), **named-entity** mentions (8 OntoNotes types) and **quotations** with speaker and
cue. Built from source fingerprint `{fingerprint}`.
{imported}
## Splits

{_table(["config"] + list(SPLITS), split_rows)}

Splits are recorded per document and never change once released; captures of the same article
(near-duplicate groups, and any pair with word 5-gram Jaccard >= 0.30) always share a split.

## Configs and fields

Offsets are Unicode code points into `raw_text`, half-open `[start, end)`. Class labels are stored
as integers; their names are in the features.

{configs}

## Derived fields

- `clean_text` = `raw_text` with every boilerplate character deleted, then trailing whitespace
  stripped from each line, runs of blank lines collapsed to one, and blank lines at both ends
  removed.
- Blocks are the lines of `raw_text` that contain non-whitespace, trimmed; `kind` is `content`
  (no boilerplate character), `boilerplate` (all non-space characters are boilerplate) or
  `mixed`; `boilerplate_fraction` counts non-space characters.
- NER tokens match `\\w+|[^\\w\\s]` within a block and are further split at gold entity
  boundaries, so every mention is a whole number of tokens; tags are BIO.
- A quote's `content` joins its segments with one space; `context` is the block(s) it lies in.

## Label distribution

{label_sections}

## Loading

```python
{LOAD_EXAMPLE.format(version=version)}
```

Also: `load_dataset("parquet", data_files={{"test": "dist/{version}/data/ner/test-*.parquet"}})`, and
`streaming=True` with either form.

## Versioning

The version is set in `pyproject.toml`; `CHANGELOG.md` says what changed in the data (patch: same
records, minor: records added, major: records changed). A built version is never rebuilt from
different inputs. `MANIFEST.json` lists every file with its sha256, and each Parquet file carries
the version and source fingerprint in its key-value metadata.

## Citation

```bibtex
{citation}
```

## License and rights

Annotations are released under CC BY 4.0. The raw page texts remain the copyright of their
publishers (each document's `rights` field) and are redistributed only for non-commercial
research on text extraction.
"""
