"""Generated parts of the docs must match what the code generates now."""
from newsspan.docs import block, codes_table

from conftest import REPO


def test_readme_code_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert block(readme, "codes") == codes_table(), "run: python build_dataset.py docs"
