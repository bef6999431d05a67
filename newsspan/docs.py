"""Generated documentation fragments; tests fail when the committed copies are stale."""
from __future__ import annotations

import re
from pathlib import Path

from .incidents import CODES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path("tests") / "fixtures" / "codes"
REGENERATE = "python3 build_dataset.py docs"


class DocsRefused(Exception):
    """The generated blocks cannot be computed (e.g. the corpus does not validate)."""


def codes_table() -> str:
    rows = ["| code | name | layer | level | meaning | fixture |", "|---|---|---|---|---|---|"]
    for code in CODES.values():
        fixture = (FIXTURES / f"{code.code}-{code.name}").as_posix()
        rows.append(f"| {code.code} | `{code.name}` | {code.layer} | {code.level} | {code.summary} | [{code.code}]({fixture}/) |")
    return "\n".join(rows)


def replace_block(text: str, name: str, body: str) -> str:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->`."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    if not pattern.search(text):
        raise ValueError(f"no <!-- {name}:start --> ... <!-- {name}:end --> block")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def block(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.S)
    return match.group(1) if match else ""


def figures_markdown(table: dict) -> str:
    """Corpus figures from built rows (config -> split -> rows), as Markdown tables."""
    from .card import _table, label_counts
    from .records import SPLITS

    docs = [r for s in SPLITS for r in table["documents"][s]]
    tokens = sum(len(r["tokens"]) for s in SPLITS for r in table["ner"][s])
    overview = _table(["figure"] + list(SPLITS) + ["total"], [
        [name] + [len(table[config][s]) for s in SPLITS] + [sum(len(table[config][s]) for s in SPLITS)]
        for name, config in (("documents", "documents"), ("text blocks", "blocks"), ("quotes", "quotes"))])
    sizes = _table(["figure", "value"], [
        ["publishers", len({r["publisher"] for r in docs})],
        ["raw characters (code points)", sum(len(r["raw_text"]) for r in docs)],
        ["clean_text characters", sum(len(r["clean_text"]) for r in docs)],
        ["NER tokens", tokens],
        ["near-duplicate groups", len({r["near_duplicate_group"] for r in docs if r["near_duplicate_group"]})],
    ])
    counts = label_counts(table)
    labels = _table(["layer", "label", "count"], [
        [layer, label, n] for layer, c in counts.items() for label, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))])
    return "\n\n".join([overview, sizes, labels])


def load_example() -> str:
    from .card import LOAD_EXAMPLE
    from .release import project_version
    return "```python\n" + LOAD_EXAMPLE.format(version=project_version()) + "\n```"


def generated_blocks() -> dict[str, dict[str, str]]:
    """For each doc file, the generated blocks it holds and their current content."""
    from .baselines.leaderboard import leaderboard_markdown, public_results_summary
    from .release import project_version, rows_by_split, version_documents
    from .validate import validate_corpus

    report = validate_corpus(REPO / "corpus")
    if not report.ok:
        raise DocsRefused(f"the corpus has {len(report.errors)} error{'s' if len(report.errors) != 1 else ''}: "
                          "the figures come from a clean corpus; run python3 build_dataset.py validate and fix them first")
    # The figures describe what the current version holds, as built: pages in no release yet are not counted.
    documents, _ = version_documents(report.documents, project_version(), REPO / "corpus")
    table = rows_by_split(documents)
    return {
        "README.md": {"codes": codes_table(), "load-example": load_example(), "figures": figures_markdown(table),
                      "leaderboard": leaderboard_markdown(REPO / "benchmarks" / "results"),
                      "public-leaderboards": public_results_summary(REPO / "benchmarks" / "results")},
        "DATASHEET.md": {"figures": figures_markdown(table)},
    }


def write_docs() -> list[str]:
    changed = []
    for name, blocks in generated_blocks().items():
        path = REPO / name
        text = path.read_text(encoding="utf-8")
        new = text
        for block_name, body in blocks.items():
            new = replace_block(new, block_name, body)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed
