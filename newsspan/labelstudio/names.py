"""The names the labeling config (labelstudio/config.xml) gives to its tags and labels."""
from __future__ import annotations

from pathlib import Path

from ..records import ANNOTATION_LABELS, ENTITY_LABELS, QUOTE_TYPES

CONFIG = Path(__file__).resolve().parents[2] / "labelstudio" / "config.xml"

TEXT = "text"  # the <Text> object; every region points at it (to_name)
BOILERPLATE = "boilerplate"
ENTITY = "entity"
QUOTE = "quote"
SPEAKER = "speaker"
CUE = "cue"
CONTINUES = "continues"

# The labels of each <Labels> control, by control name.
CONTROL_LABELS: dict[str, tuple[str, ...]] = {
    BOILERPLATE: ANNOTATION_LABELS,  # labels of imported benchmarks are never given by hand
    ENTITY: ENTITY_LABELS,
    QUOTE: QUOTE_TYPES + (SPEAKER, CUE),
}
# Relation labels: from a quote's content to its speaker, its cue, or its next content segment.
RELATION_LABELS = (SPEAKER, CUE, CONTINUES)
