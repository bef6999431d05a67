"""The annotator workflow's command line and its pull-request gate (CI workflow, pre-commit hooks).

`run` calls the command line in this process (as `python3 build_dataset.py ...` would, with its
exit status, stdout and stderr); the other workflow tests use it too.
"""
import contextlib
import io
import os
import re

import yaml

from conftest import REPO
from newsspan.cli import main
from newsspan.commands import command_modules

WORKFLOW_COMMANDS = ("add", "fix", "fmt", "diff", "agreement")


def run(*args, cwd=REPO) -> tuple[int, str, str]:
    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit_:  # argparse's own usage errors
                code = exit_.code
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def test_workflow_commands_are_registered_with_help():
    modules = {m.NAME: m for m in command_modules()}
    assert set(WORKFLOW_COMMANDS) <= set(modules)
    code, out, _ = run("--help")
    assert code == 0 and all(re.search(rf"^\s+{name}\s+\S", out, re.M) for name in WORKFLOW_COMMANDS)


def _yaml(name: str):
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def _subcommand(entry: str) -> str:
    words = entry.split()
    return words[words.index("build_dataset.py") + 1]


def test_pre_commit_hooks_run_real_commands():
    hooks = {h["id"]: h for h in _yaml(".pre-commit-hooks.yaml")}
    assert set(hooks) == {"newsspan-validate", "newsspan-fmt"}
    names = {m.NAME for m in command_modules()}
    assert {_subcommand(h["entry"]) for h in hooks.values()} == {"validate", "fmt"} <= names
    assert re.search(hooks["newsspan-fmt"]["files"], "corpus/annotations/x.json")
    assert not re.search(hooks["newsspan-fmt"]["files"], "corpus/raw/x.txt")


def test_pre_commit_config_uses_the_hooks_locally():
    config = _yaml(".pre-commit-config.yaml")
    local = [r for r in config["repos"] if r["repo"] == "local"]
    published = {h["id"]: h for h in _yaml(".pre-commit-hooks.yaml")}
    used = {h["id"]: h for r in local for h in r["hooks"]}
    assert set(used) == set(published)
    for hook_id, hook in used.items():
        assert _subcommand(hook["entry"]) == _subcommand(published[hook_id]["entry"])


def test_pull_request_workflow_validates_builds_and_tests():
    flow = _yaml(".github/workflows/validate.yml")
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = flow.get("on", flow.get(True))
    assert "pull_request" in triggers
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == "3.11"
    commands = "\n".join(s.get("run", "") for s in steps)
    for needed in ("pip install -e '.[", "build_dataset.py validate --format github",
                   "build_dataset.py build --out", "pytest"):
        assert needed in commands
    assert commands.index("validate --format github") < commands.index("build --out") < commands.index("pytest")


def test_contributing_describes_every_step_truthfully():
    from newsspan.workflow.slug import propose_id

    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for step in ("add", "fix", "fmt", "validate", "render", "labelstudio", "diff", "agreement", "release", "docs"):
        assert f"build_dataset.py {step}" in text, step
    proposed = propose_id("https://www.example.com/2024/05/06/story", None, "2024-05-06", "Headline as published", set())
    assert proposed == "example-2024-05-06-headline-published" and f"`{proposed}`" in text
