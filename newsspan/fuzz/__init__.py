"""Fuzzing the validator: whatever bytes a pull request holds, validation never crashes.

Inputs are (annotation bytes, raw bytes) pairs of one document, of two kinds:
- valid documents built piece by piece (`documents`): random Unicode text (astral characters,
  combining marks, controls, invisible characters) with labelled, non-overlapping spans whose
  edges are visible, whole characters; they must validate clean;
- mutations of valid documents (`mutations`): byte flips, deleted keys, values of the wrong type,
  shifted offsets, tokens that JSON readers disagree on, edited raw files (with or without an
  updated raw_sha256, so that the anchoring checks run too).

`oracle.check` decides what misbehaving means; `loop.fuzz` runs seeded batches for a budget. The
property tests run a few dozen inputs; `build_dataset.py fuzz` runs them for longer. Hypothesis is
a test dependency, so this package is only imported by the tests and that command.
"""
from .documents import Case, Generated, documents, encode
from .loop import Crash, FuzzResult, fuzz, reproducer
from .mutations import fuzz_cases, invalidating, spanned
from .oracle import check, write_case

__all__ = ["Case", "Crash", "FuzzResult", "Generated", "check", "documents", "encode", "fuzz", "fuzz_cases",
           "invalidating", "reproducer", "spanned", "write_case"]
