"""Chunk-level scoring of BIO tag sequences, compatible with seqeval's default mode (conlleval).

seqeval is not a dependency (it pulls in scikit-learn); its chunk rules for BIO tags are:
a chunk starts at `B-X`, or at an `I-X` that does not continue a chunk of type X (after `O`, or
after a chunk of another type); it continues through the following `I-X` tags. `B-X` always
starts a new chunk. Each row (text block) is chunked on its own, so chunks never cross rows.

Per type X: tp = chunks (X, start, end) in both the gold and the predicted tags, fp = predicted
only, fn = gold only; "ALL" pools every type (seqeval's micro average). A row without a
prediction counts as all `O`.
"""
from __future__ import annotations

ALL = "ALL"


def chunks(tags: list[str] | tuple[str, ...]) -> set[tuple[str, int, int]]:
    """(type, start, end) of every chunk, end exclusive."""
    found, current = set(), None
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        continues = current is not None and prefix == "I" and kind == current[0]
        if current is not None and not continues:
            found.add((current[0], current[1], i))
            current = None
        if prefix in ("B", "I") and not continues:
            current = (kind, i)
    if current is not None:
        found.add((current[0], current[1], len(tags)))
    return found
