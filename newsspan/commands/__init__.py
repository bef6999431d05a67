"""Subcommands of build_dataset.py, one module each.

A command module defines NAME, HELP, `configure(parser)` and `run(args) -> int` (0 ok, 1 invalid
input or refused, 2 usage). Modules here are found automatically, so adding a command never
touches the dispatcher.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    found = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
             if not info.name.startswith("_")]
    return sorted((m for m in found if hasattr(m, "NAME")), key=lambda m: m.NAME)
