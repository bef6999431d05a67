"""Croissant 1.1 JSON-LD metadata for a built release, derived from the declared features.

What it describes:
- one FileObject per Parquet shard, with its size and sha256;
- one FileSet per config: the shards of all its splits, which is what loaders read;
- one RecordSet per config, with a field per column of `features.CONFIGS[config]` plus a `split`
  field taken from the shard's file name and referencing the `splits` RecordSet (`cr:Split`);
- one `sc:Enumeration` RecordSet per distinct ClassLabel name list; ClassLabel fields hold the
  class index (as stored in Parquet), reference the enumeration's `index`, and list the names in
  their description too.

The output depends only on the arguments: shards are sorted by path, configs by name.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path, PurePosixPath
from typing import Iterator

from datasets import ClassLabel, LargeList, List, Sequence, Value

from .features import CONFIGS, DESCRIPTIONS

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
# The only media type mlcroissant 1.1.1 reads as Parquet (not application/vnd.apache.parquet);
# Hugging Face's Croissant files use it too.
PARQUET = "application/x-parquet"
SPLITS_ID = "splits"
# Croissant's own terms for the usual splits (spec 1.1, "Splits").
SPLIT_URLS = {"train": "cr:TrainingSplit", "validation": "cr:ValidationSplit", "test": "cr:TestSplit"}

# The context of the spec's Appendix 1, with two differences. schema.org is spelled https, as in
# mlcroissant 1.1.1 and the spec repository's 1.1 example datasets: mlcroissant recognises a
# dataset only as https://schema.org/Dataset. And the 1.0 terms mlcroissant still expects (path,
# repeated, replace, samplingRate) are kept, so that it does not warn of a non-standard context.
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "annotation": "cr:annotation",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "excludes": "cr:excludes",
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "readLines": "cr:readLines",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sdVersion": "cr:sdVersion",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "unArchive": "cr:unArchive",
    "value": "cr:value",
}


def croissant_metadata(release_dir: Path, *, version: str, files: list[dict], name: str, description: str,
                       license_url: str, citation: str, creator: str, date_published: str,
                       url: str | None = None) -> dict:
    """The Croissant description of the release in `release_dir`, whose Parquet shards are `files`."""
    files = sorted(files, key=lambda f: f["path"])
    _check_files(Path(release_dir), files)
    configs = sorted({f["config"] for f in files})
    enumerations = _enumeration_ids(configs)
    return {
        "@context": copy.deepcopy(CONTEXT),
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_1_1,
        "name": name,
        "description": description,
        "license": license_url,
        **({"url": url} if url else {}),
        "creator": {"@type": "sc:Organization", "name": creator},
        "datePublished": date_published,
        "version": version,
        "citeAs": citation,
        "distribution": [_file_object(f) for f in files] + [_file_set(c, files) for c in configs],
        "recordSet": [_splits_record_set(files),
                      *(_enumeration(enum_id, names) for names, enum_id in enumerations.items()),
                      *(_record_set(config, enumerations) for config in configs)],
    }


def _check_files(release_dir: Path, files: list[dict]) -> None:
    """Refuse a file list that does not match the release: the metadata would send loaders astray."""
    for f in files:
        path = PurePosixPath(f["path"])
        if f["config"] not in CONFIGS:
            raise ValueError(f"{f['path']}: unknown config {f['config']!r}")
        if path.is_absolute() or ".." in path.parts or path.parts[:2] != ("data", f["config"]):
            raise ValueError(f"{f['path']}: not a relative path under data/{f['config']}/")
        on_disk = release_dir / path
        if not on_disk.is_file() or on_disk.stat().st_size != f["bytes"]:
            raise ValueError(f"{f['path']}: missing from {release_dir} or not {f['bytes']} bytes")


def _file_object(f: dict) -> dict:
    return {
        "@type": "cr:FileObject",
        "@id": f["path"],
        "name": f["path"],
        "description": f"Config {f['config']}, split {f['split']}: {f['rows']} rows.",
        "contentUrl": f["path"],
        "encodingFormat": PARQUET,
        "contentSize": f"{f['bytes']} B",
        "sha256": f["sha256"],
    }


def _file_set_id(config: str) -> str:
    return f"{config}-parquet"


def _file_set(config: str, files: list[dict]) -> dict:
    # The exact shard paths rather than a glob: the set is then precisely the FileObjects above.
    return {
        "@type": "cr:FileSet",
        "@id": _file_set_id(config),
        "name": _file_set_id(config),
        "description": f"The Parquet shards of config {config}, all splits.",
        "encodingFormat": PARQUET,
        "includes": [f["path"] for f in files if f["config"] == config],
    }


def _split_order(split: str) -> tuple:
    return (list(SPLIT_URLS).index(split) if split in SPLIT_URLS else len(SPLIT_URLS), split)


def _splits_record_set(files: list[dict]) -> dict:
    splits = sorted({f["split"] for f in files}, key=_split_order)
    return {
        "@type": "cr:RecordSet",
        "@id": SPLITS_ID,
        "name": SPLITS_ID,
        "description": "The splits of every config.",
        "dataType": "cr:Split",
        "key": {"@id": f"{SPLITS_ID}/name"},
        "field": [
            {"@type": "cr:Field", "@id": f"{SPLITS_ID}/name", "name": "name", "dataType": "sc:Text"},
            {"@type": "cr:Field", "@id": f"{SPLITS_ID}/url", "name": "url", "dataType": "sc:URL"},
        ],
        "data": [{f"{SPLITS_ID}/name": s, **({f"{SPLITS_ID}/url": SPLIT_URLS[s]} if s in SPLIT_URLS else {})}
                 for s in splits],
    }


def _record_set(config: str, enumerations: dict[tuple[str, ...], str]) -> dict:
    features = CONFIGS[config]
    source = {"fileSet": {"@id": _file_set_id(config)}}
    columns = [_field(f"{config}/{column}", column, feature, {**source, "extract": {"column": column}}, enumerations)
               for column, feature in features.items()]
    record_set = {
        "@type": "cr:RecordSet",
        "@id": config,
        "name": config,
        "description": DESCRIPTIONS[config],
        # The split field goes first: mlcroissant 1.1.1 performs only the first join of a record set.
        "field": [_split_field(config, source), *columns],
    }
    if "id" in features:  # every config's `id` is unique across its splits
        record_set["key"] = {"@id": f"{config}/id"}
    return record_set


def _split_field(config: str, source: dict) -> dict:
    # When a field has `references`, mlcroissant applies its transform twice (in the join, then
    # when reading the field), so the regex also accepts its own output, a bare split name.
    regex = rf"^(?:data/{re.escape(config)}/)?([^/]+?)(?:-\d+-of-\d+\.parquet)?$"
    return {
        "@type": "cr:Field",
        "@id": f"{config}/split",
        "name": "split",
        "description": "The split of the row, from its shard's file name.",
        "dataType": "sc:Text",
        "source": {**source, "extract": {"fileProperty": "fullpath"}, "transform": {"regex": regex}},
        "references": {"field": {"@id": f"{SPLITS_ID}/name"}},
    }


_DATA_TYPES = {"string": "sc:Text", "large_string": "sc:Text", "bool": "sc:Boolean",
               "float16": "sc:Float", "float32": "sc:Float", "float64": "sc:Float"}


def _data_type(feature) -> str:
    if isinstance(feature, Value):
        if feature.dtype in _DATA_TYPES:
            return _DATA_TYPES[feature.dtype]
        if feature.dtype.startswith(("int", "uint")):
            return "sc:Integer"
    raise ValueError(f"no Croissant dataType for feature {feature!r}")


def _item(feature):
    """The item feature of a list feature, or None if `feature` is not a list."""
    if isinstance(feature, (List, LargeList, Sequence)):
        return feature.feature
    if isinstance(feature, list):
        return feature[0]
    return None


def _field(field_id: str, name: str, feature, source: dict, enumerations: dict[tuple[str, ...], str]) -> dict:
    field = {"@type": "cr:Field", "@id": field_id, "name": name}
    item = _item(feature)
    if item is not None:
        field["isArray"] = True
        feature = item
    if isinstance(feature, dict):
        field.update(_sub_fields(field_id, feature, source, enumerations))
        return field
    field["source"] = source
    if isinstance(feature, ClassLabel):
        enumeration = enumerations[tuple(feature.names)]
        field["dataType"] = "sc:Integer"
        field["references"] = {"field": {"@id": f"{enumeration}/index"}}
        field["description"] = f"Class index into {enumeration}: " + ", ".join(
            f"{i}={label}" for i, label in enumerate(feature.names))
    else:
        field["dataType"] = _data_type(feature)
    return field


def _sub_fields(field_id: str, struct: dict, source: dict, enumerations: dict[tuple[str, ...], str]) -> dict:
    """The subFields of a struct (or list of structs) column, each read by a jsonPath on the items.

    A member that is itself a struct or a list of structs (documents.quotes[].content) is left
    out, though Croissant 1.1 could declare it with its own subFields: mlcroissant 1.1.1 puts the
    values of such sub-sub-fields at the top of the record instead of inside each item, and as
    None (each is read by one jsonPath on the outer item). Declared, it would load wrong data;
    left out, the record set loads right and the parent's description says what is missing.
    """
    readable = {key: sub for key, sub in struct.items() if not _holds_struct(sub)}
    out = {"subField": [_field(f"{field_id}/{key}", key, sub, {**source, "transform": {"jsonPath": key}}, enumerations)
                        for key, sub in readable.items()]}
    left_out = [key for key in struct if key not in readable]
    if left_out:
        out["description"] = (f"Each item also holds {', '.join(left_out)}: structs nested in the item, in the"
                              " Parquet column but not declared here, as mlcroissant 1.1.1 cannot read them.")
    return out


def _holds_struct(feature) -> bool:
    return isinstance(feature, dict) or isinstance(_item(feature), dict)


def _class_labels(field_id: str, feature) -> Iterator[tuple[str, ClassLabel]]:
    """(field @id, ClassLabel) for every ClassLabel in a column, sub-fields included."""
    item = _item(feature)
    if item is not None:
        feature = item
    if isinstance(feature, dict):
        for key, sub in feature.items():
            yield from _class_labels(f"{field_id}/{key}", sub)
    elif isinstance(feature, ClassLabel):
        yield field_id, feature


def _enumeration_ids(configs: list[str]) -> dict[tuple[str, ...], str]:
    """One enumeration per distinct list of names, named after the first field that uses it."""
    ids: dict[tuple[str, ...], str] = {}
    for config in configs:
        for column, feature in CONFIGS[config].items():
            for field_id, label in _class_labels(f"{config}/{column}", feature):
                ids.setdefault(tuple(label.names), f"{field_id}-classes")
    return ids


def _enumeration(enum_id: str, names: tuple[str, ...]) -> dict:
    return {
        "@type": "cr:RecordSet",
        "@id": enum_id,
        "name": enum_id,
        "description": "Class names by index, for the ClassLabel fields that reference this set.",
        "dataType": "sc:Enumeration",
        "key": {"@id": f"{enum_id}/index"},
        "field": [
            {"@type": "cr:Field", "@id": f"{enum_id}/index", "name": "index", "dataType": "sc:Integer"},
            {"@type": "cr:Field", "@id": f"{enum_id}/name", "name": "name", "dataType": "sc:Text"},
        ],
        "data": [{f"{enum_id}/index": i, f"{enum_id}/name": label} for i, label in enumerate(names)],
    }
