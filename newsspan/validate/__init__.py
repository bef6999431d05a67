"""The validator: four gated layers (files, schema, anchoring, consistency) over a corpus.

A layer runs on a document only when the layers below it passed, so one broken file gives one
error, not a cascade. Every problem is an Incident; nothing here raises on bad input.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..incidents import Incident, incident, sort_key
from ..read import DocFiles, JsonSource, discover, printable, read_json, read_raw, relpath
from ..records import Document
from ..versions import changelog_versions
from .anchoring import check_anchoring
from .cache import ValidationCache
from .consistency import check_document, guidelines_versions
from .ledger import Ledger, StoredDocuments
from .parallel import CheckContext, check_documents, corpus_incidents, resolve_jobs
from .schema import check_schema

RELEASED_SPLITS = "released_splits.json"


@dataclass(slots=True)
class Report:
    """What validation found: incidents, and the documents that passed every per-document layer."""
    incidents: list[Incident] = field(default_factory=list)
    documents: Mapping[str, Document] = field(default_factory=dict)
    checked: int = 0
    from_cache: int = 0

    @property
    def errors(self) -> list[Incident]:
        return [i for i in self.incidents if i.level == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_corpus(root: Path, only: set[str] | None = None, *, jobs: int | None = 1,
                    cache: ValidationCache | None = None, keep_documents: bool = True, progress=None,
                    engine=None) -> Report:
    """Validate the corpus below `root`; with `only`, report just those documents' problems.

    `jobs` processes check the documents (0 or None: one per core for a large corpus) and `cache`
    replays the results of unchanged ones; neither changes the report, nor does an `engine`
    (`newsspan.engine`) that runs the per-document checks elsewhere (`jobs` is then ignored). Without `keep_documents`,
    `report.documents` holds no document in memory: it reads each from its files when asked.
    """
    ledger = Ledger()
    found = discover(root, spill=ledger.folder)  # the listing too is kept on disk, in the run's folder
    report = Report(incidents=list(found.incidents))
    context = CheckContext(check_document_files, guidelines_versions(), cache, keep_documents)
    if progress is not None:
        progress.total = len(found.docs)
    documents = {}
    results = check_documents(found.docs, context, resolve_jobs(jobs, len(found.docs)), progress, engine)
    for result in results:  # results first: the cache is written when they end
        report.incidents += result.incidents
        report.from_cache += result.cached
        if result.stored is not None:
            ledger.add(result.stored)
            if keep_documents:
                documents[result.stored.doc_id] = result.document
    ledger.seal()
    released, released_problems = _released(root)
    report.incidents += released_problems
    report.incidents += corpus_incidents(ledger, released, cache)
    if only is not None:
        keep = {relpath(p) for d in found.docs if d.doc_id in only for p in (d.annotation, d.raw) if p}
        report.incidents = [i for i in report.incidents if i.path in keep]
    report.checked = len(found.docs) if only is None else sum(d.doc_id in only for d in found.docs)
    report.documents = documents if keep_documents else StoredDocuments(ledger)
    if keep_documents:
        ledger.close()
    report.incidents.sort(key=sort_key)
    return report


def check_document_files(files: DocFiles, versions: frozenset[str], data: tuple[bytes, bytes] | None = None
                         ) -> tuple[list[Incident], tuple[JsonSource, Document] | None]:
    """The per-document layers on one pair of files: their incidents, and the parsed document when
    it passed (the corpus-wide layer is `consistency.check_corpus`). `data`: the (annotation, raw)
    bytes when already read, so that the result is about exactly those bytes."""
    if files.annotation is None or files.raw is None:
        return [], None  # pairing incident already reported by discover()
    raw, raw_problems = read_raw(files.raw, data and data[1])
    source, json_problems = read_json(files.annotation, data and data[0])
    incidents = raw_problems + json_problems
    if raw is None or source is None:
        return incidents, None
    mismatch = _doc_id_mismatch(source, files.doc_id)
    if mismatch:
        return incidents + [mismatch], None
    schema_problems = check_schema(source) or _raw_format_mismatch(source, files.raw)
    if schema_problems:
        return incidents + schema_problems, None
    anchoring_problems = check_anchoring(source, raw.data, raw.text)
    if anchoring_problems:
        return incidents + anchoring_problems, None
    doc = Document.from_json(source.value, raw.text)
    doc_problems = check_document(source, doc, versions)
    blocking = [i for i in doc_problems if i.level == "error"]
    return incidents + doc_problems, (None if blocking else (source, doc))


_RAW_FORMATS = {".txt": "text", ".md": "markdown"}


def _raw_format_mismatch(source: JsonSource, raw: Path) -> list[Incident]:
    """`raw_format` says how to read the page (the baselines and the card use it); the extension
    says the same to every other tool: they must agree."""
    stated = source.value["metadata"]["raw_format"]
    implied = _RAW_FORMATS.get(raw.suffix)
    if implied is None or stated == implied:
        return []
    other = next(s for s, f in _RAW_FORMATS.items() if f == stated)
    if raw.with_suffix(other).exists():
        return []  # both raw files exist: NS103 says so, and which one is meant is for the fix to say
    line, col = source.locate("/metadata/raw_format")
    return [incident("NS119", source.where, line, col, f"raw_format is {stated!r} but the raw file is {raw.name} ({implied})",
                     f"set \"raw_format\": \"{implied}\", or rename the raw file to {raw.stem}{other} if the page is {stated}")]


def _doc_id_mismatch(source: JsonSource, stem: str) -> Incident | None:
    value = source.value.get("doc_id") if isinstance(source.value, dict) else None
    if isinstance(value, str) and value != stem:
        line, col = source.locate("/doc_id")
        return incident("NS112", source.where, line, col, f"doc_id is {value!r} but the file is named {stem!r}",
                        f"set \"doc_id\": \"{stem}\", or rename both files of the document (ids are never reused)")
    return None


def _released(root: Path) -> tuple[dict[str, str], list[Incident]]:
    """Splits of released documents, which must never change.

    The registry is checked against the releases the repository records elsewhere (the dated
    entries of CHANGELOG.md next to the corpus folder, or inside a standalone one): once one exists, a missing, empty or
    replaced registry would silently turn the released-split check off, so it is an error."""
    path = root / RELEASED_SPLITS
    versions = list(changelog_versions(root.parent) or changelog_versions(root))
    if not path.exists() and not path.is_symlink():
        return {}, [_registry_problem(path, "is missing")] if versions else []
    source, problems = read_json(path)
    if source is None:
        return {}, problems
    value = source.value
    if not (isinstance(value, dict) and all(isinstance(v, dict) and isinstance(v.get("split"), str) for v in value.values())):
        return {}, [incident("NS206", source.where, 1, 1, "released splits must map each doc id to {\"split\": ..., \"version\": ...}",
                             "restore the file from git; it is written when a version is released")]
    found = {doc_id: entry["split"] for doc_id, entry in value.items()}
    return found, _registry_versions(path, value, versions)



def _registry_versions(path: Path, value: dict, versions: list[str]) -> list[Incident]:
    if not versions:
        return []
    if not value:
        return [_registry_problem(path, "is empty")]
    recorded = {entry.get("version") for entry in value.values()}
    unknown = sorted(str(v) for v in recorded - set(versions))
    # The newest entry may be the version being prepared; every older one was released. A version
    # that adds records (the first, and every minor one) must be in the registry; a patch adds none,
    # and a major one may only change records, so neither is required to appear.
    missing = [v for v in versions[1:] if v not in recorded and _adds_records(v, versions[-1])]
    if unknown:
        return [_registry_problem(path, f"names version {printable(unknown[0])}, which CHANGELOG.md does not record")]
    if missing:
        return [_registry_problem(path, f"records no document of the released version {missing[0]}")]
    return []


def _adds_records(version: str, first: str) -> bool:
    major, minor, patch = (int(n) for n in version.split("."))
    return version == first or (patch == 0 and minor > 0)


def _registry_problem(path: Path, what: str) -> Incident:
    return incident("NS412", relpath(path), 1, 1, f"CHANGELOG.md records a release, but {RELEASED_SPLITS} {what}",
                    f"restore {RELEASED_SPLITS} from git (`git checkout <release tag> -- {relpath(path)}`): it keeps "
                    "released documents in their splits and is never deleted or rewritten")
