import os
import shutil
import tempfile
from pathlib import Path

# Offline and with a private cache, before anything imports `datasets`: loading must never need
# the network, and a stale cache from another run must not hide a bug.
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="newsspan-hf-")
os.environ["HF_DATASETS_CACHE"] = os.path.join(os.environ["HF_HOME"], "datasets")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the real corpus, for corruption tests."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    return root


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    """The real corpus built once into a temporary dist/ folder."""
    from newsspan.release import build_release, project_version
    from newsspan.validate import validate_corpus

    out = tmp_path_factory.mktemp("dist")
    report = validate_corpus(CORPUS)
    assert report.ok
    return build_release(report.documents, out_root=out)
