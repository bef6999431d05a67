"""`release --patch|--minor|--major`: cut the next version: pyproject.toml, CHANGELOG.md, released_splits.json."""
from __future__ import annotations

import sys

from ..versions import (BUMPS, REPO, VersionRefused, bumped, changelog_stub, changelog_versions, insert_changelog_entry,
                        record_documents, released_records, today, write_pyproject_version)
from ._common import CORPUS, EXIT_INVALID, EXIT_OK

NAME = "release"
HELP = ("cut the next version: write it to pyproject.toml, add a CHANGELOG.md entry and record its new "
        "documents in corpus/released_splits.json (patch: same records, minor: added, major: changed)")


def configure(parser) -> None:
    bump = parser.add_mutually_exclusive_group(required=True)
    for name in BUMPS:
        bump.add_argument(f"--{name}", dest="bump", action="store_const", const=name,
                          help={"patch": "same records: documentation or metadata of the release only",
                                "minor": "records added: reviewed pages that no version holds yet",
                                "major": "existing records changed (text, spans, labels or splits)"}[name])


def run(args) -> int:
    from ..docs import DocsRefused, write_docs
    from ..release import project_version
    from ..validate import validate_corpus

    report = validate_corpus(CORPUS, keep_documents=False)
    if not report.ok:
        print(f"release: refused: the corpus has {len(report.errors)} error{'s' if len(report.errors) != 1 else ''}: "
              "run python3 build_dataset.py validate and fix them first", file=sys.stderr)
        return EXIT_INVALID
    try:
        current = project_version()
        version = bumped(current, args.bump)
        added, drafts = _new_documents(report.documents)
        _check_bump(args.bump, version, added)
        write_pyproject_version(version)
        insert_changelog_entry(changelog_stub(version, today(), sorted(added)))
        if added:
            record_documents(CORPUS, added, version)
    except VersionRefused as err:
        print(f"release: refused: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(f"release: {current} -> {version} ({args.bump}); wrote pyproject.toml and a CHANGELOG.md entry")
    if added:
        print(f"release: recorded {_count(len(added), 'document')} in corpus/released_splits.json: {', '.join(sorted(added))}")
    if drafts:
        print(f"release: left out {_count(len(drafts), 'draft')} (a reviewer sets provenance.status first): {', '.join(drafts)}")
    try:
        for path in write_docs():
            print(f"release: updated the generated blocks of {path}")
    except DocsRefused as err:
        print(f"release: docs not regenerated: {err}", file=sys.stderr)
    print("next: say what changed in the new CHANGELOG.md entry, then python3 build_dataset.py build")
    return EXIT_OK


def _new_documents(documents) -> tuple[dict[str, str], list[str]]:
    """Valid documents no version records yet: reviewed ones (id -> split), and drafts, left for later."""
    recorded = released_records(CORPUS) or {}
    added, drafts = {}, []
    for doc_id in sorted(set(documents) - set(recorded)):
        doc = documents[doc_id]
        if doc.provenance.status == "draft":
            drafts.append(doc_id)
        else:
            added[doc_id] = doc.split
    return added, drafts


def _check_bump(bump: str, version: str, added: dict[str, str]) -> None:
    if version in changelog_versions(REPO):
        raise VersionRefused(f"CHANGELOG.md already has an entry for {version}: that version was cut already")
    if bump == "patch" and added:
        raise VersionRefused(f"a patch keeps the same records, but {_count(len(added), 'reviewed document')} "
                             f"no version holds yet ({', '.join(sorted(added)[:3])}): use --minor")
    if bump == "minor" and not added:
        raise VersionRefused("a minor version adds records, and no reviewed document is waiting for one: "
                             "use --patch for documentation only, --major for changed records")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
