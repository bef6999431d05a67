"""The pull-request gate is what the README says: one install command everywhere, a workflow that
runs the main job and the tests, a package that builds without deprecated metadata."""
import re
import tomllib

import yaml

from conftest import REPO

INSTALL = re.compile(r"python3? -m pip install -U pip && python3? -m pip install -e '\.\[([a-z,]+)\]'")


def _install_commands(text: str) -> list[str]:
    return [",".join(sorted(m.group(1).split(","))) for m in INSTALL.finditer(text)]


def _workflow() -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))


def test_workflow_ci_readme_and_contributing_name_the_same_install_command():
    """Regression: the workflow installed `.[test]` only, and the bench tests failed on GitHub."""
    steps = _workflow()["jobs"]["validate"]["steps"]
    workflow = [c for s in steps for c in _install_commands(s.get("run", ""))]
    found = {name: _install_commands((REPO / name).read_text(encoding="utf-8"))
             for name in (".ci/run", "README.md", "CONTRIBUTING.md")}
    extras = sorted(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"])
    assert workflow == [",".join(extras)], "the workflow installs every extra the tests need"
    for name, commands in found.items():
        assert commands == workflow, f"{name} names {commands}, the workflow {workflow}"


def test_workflow_runs_validation_layout_build_and_tests():
    runs = " ".join(s.get("run", "") for s in _workflow()["jobs"]["validate"]["steps"])
    for command in ("build_dataset.py validate --format github", "build_dataset.py fmt --check",
                    "build_dataset.py build", "-m pytest"):
        assert command in runs, command


def test_package_metadata_uses_a_pep_639_license_expression():
    """Regression: setuptools warned that the `project.license` table is deprecated."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert isinstance(project["license"], str) and re.fullmatch(r"[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*", project["license"])
    assert project["license-files"] and all(list(REPO.glob(pattern)) for pattern in project["license-files"])
    floor = next(r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools"))
    assert tuple(int(n) for n in floor.split(">=")[1].split(".")) >= (77,)  # the first setuptools that reads them
