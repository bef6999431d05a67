"""Generated documentation fragments; tests fail when the committed copies are stale."""
from __future__ import annotations

import re
from pathlib import Path

from .incidents import CODES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path("tests") / "fixtures" / "codes"


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


def generated_blocks() -> dict[str, dict[str, str]]:
    """For each doc file, the generated blocks it holds and their current content."""
    return {"README.md": {"codes": codes_table()}}


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
