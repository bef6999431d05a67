import json
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


# The five seed pages (their bytes are checked in test_corpus.py). A test that needs these
# documents in particular works on `seed_corpus`, a copy of just them: pages contributed later never
# change what such a test sees.
SEED_IDS = (
    "elespanol-kherson-withdrawal-ordered-mt-en",
    "independent-kherson-retreat-complete",
    "moscowtimes-2022-11-03-kherson-flag-capture1",
    "moscowtimes-2022-11-03-kherson-flag-capture2",
    "nytimes-kherson-officials-flee",
)


def copy_seed_corpus(root: Path) -> Path:
    """The seed documents of the real corpus (annotations as they are now) as a corpus of their own."""
    for folder in ("raw", "annotations"):
        (root / folder).mkdir(parents=True)
        for path in sorted((CORPUS / folder).iterdir()):
            if path.name.split(".")[0] in SEED_IDS:
                shutil.copy2(path, root / folder / path.name)
    released = json.loads((CORPUS / "released_splits.json").read_text(encoding="utf-8"))
    kept = {doc_id: entry for doc_id, entry in released.items() if doc_id in SEED_IDS}
    if kept == released:  # the same bytes, so that a build of the copy is a build of the seeds' release
        shutil.copy2(CORPUS / "released_splits.json", root / "released_splits.json")
    else:
        (root / "released_splits.json").write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable corpus of the seed documents, for corruption tests."""
    return copy_seed_corpus(tmp_path / "corpus")


@pytest.fixture
def seed_corpus(tmp_path) -> Path:
    """The seed documents as a corpus, for tests about those documents in particular."""
    return copy_seed_corpus(tmp_path / "seeds")


@pytest.fixture(scope="session")
def release(tmp_path_factory) -> Path:
    """The real corpus built once into a temporary dist/ folder."""
    from newsspan.release import build_release
    from newsspan.validate import validate_corpus

    out = tmp_path_factory.mktemp("dist")
    report = validate_corpus(CORPUS)
    assert report.ok
    return build_release(report.documents, out_root=out)


# What a checkout needs to run every command: a copy runs its own code (build_dataset.py puts its
# folder first on sys.path) on its own corpus, pyproject.toml and CHANGELOG.md.
REPO_FILES = ("build_dataset.py", "pyproject.toml", "CHANGELOG.md", "README.md", "DATASHEET.md", "CONTRIBUTING.md")
REPO_FOLDERS = ("newsspan", "schema", "corpus", "benchmarks/results", "labelstudio")


def copy_repository(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in REPO_FILES:
        shutil.copy2(REPO / name, root / name)
    for name in REPO_FOLDERS:
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """A scratch checkout: corpus, code, version and changelog that a test may change."""
    return copy_repository(tmp_path / "repo")


def run_in(repo: Path, *args: str, timeout: int = 600):
    """`python3 build_dataset.py ARGS` in a checkout, with its own cache folder."""
    import subprocess
    import sys

    env = dict(os.environ, NEWSSPAN_CACHE_DIR=str(repo / ".newsspan-cache"))
    return subprocess.run([sys.executable, str(repo / "build_dataset.py"), *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=timeout)
