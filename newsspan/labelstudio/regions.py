"""One annotation's `result` list read into regions and relations, each checked against the config."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .names import CONTROL_LABELS, RELATION_LABELS, TEXT


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in an export that cannot be imported; `pointer` is a JSON pointer into the export."""
    pointer: str
    result_id: str | None
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class Region:
    """A labelled text region. Offsets are as found until anchored, then code points."""
    result_id: str
    control: str
    label: str
    start: int
    end: int
    text: str | None
    pointer: str


@dataclass(frozen=True, slots=True)
class Relation:
    from_id: str
    to_id: str
    labels: tuple[str, ...]
    pointer: str


@dataclass(slots=True)
class Results:
    regions: list[Region] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


CONFIG_HINT = "label the task with the config in labelstudio/config.xml (tag names and label values unchanged)"


def read_results(results: Any, pointer: str) -> Results:
    """Regions and relations of one annotation's `result`, with a Problem for each bad entry."""
    found = Results()
    if not isinstance(results, list):
        found.problems.append(Problem(pointer, None, "`result` is not a list", "export the project as JSON from Label Studio"))
        return found
    seen: set[str] = set()
    for i, item in enumerate(results):
        here = f"{pointer}/{i}"
        if isinstance(item, dict) and item.get("type") == "relation":
            _read_relation(item, here, found)
        else:
            _read_region(item, here, found, seen)
    return found


def _read_relation(item: dict, here: str, found: Results) -> None:
    ends = item.get("from_id"), item.get("to_id")
    labels = item.get("labels") or []
    if not all(isinstance(e, str) and e for e in ends):
        found.problems.append(Problem(here, None, "relation without from_id and to_id", "delete the relation and draw it again"))
        return
    if not isinstance(labels, list):
        found.problems.append(Problem(here, None, "relation labels are not a list", "export the project as JSON from Label Studio"))
        return
    unknown = [label for label in labels if label not in RELATION_LABELS]
    if unknown:
        found.problems.append(Problem(here, None, f"relation label {unknown[0]!r} is not one of {', '.join(RELATION_LABELS)}", CONFIG_HINT))
        return
    found.relations.append(Relation(ends[0], ends[1], tuple(labels), here))


def _read_region(item: Any, here: str, found: Results, seen: set[str]) -> None:
    problem = _region_problem(item, here)
    if problem:
        found.problems.append(problem)
        return
    value = item["value"]
    if item["id"] in seen:
        found.problems.append(Problem(here, item["id"], "two results share this id", "delete one of the two regions in Label Studio"))
        return
    seen.add(item["id"])
    found.regions.append(Region(item["id"], item["from_name"], value["labels"][0], value["start"], value["end"],
                                value.get("text"), here))


def _region_problem(item: Any, here: str) -> Problem | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        return Problem(here, None, "result without an id", "export the project as JSON (not JSON-MIN or CSV) from Label Studio")
    rid, control = item["id"], item.get("from_name")
    if item.get("type") != "labels" or control not in CONTROL_LABELS or item.get("to_name") != TEXT:
        return Problem(here, rid, f"result of type {item.get('type')!r} from {control!r} to {item.get('to_name')!r} "
                                  f"is not a region of labelstudio/config.xml", CONFIG_HINT)
    value = item.get("value")
    if not isinstance(value, dict) or not all(_is_int(value.get(k)) for k in ("start", "end")):
        return Problem(here, rid, "region without integer start and end", "export the project as JSON from Label Studio")
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1:
        return Problem(here, rid, f"region has labels {labels!r}; it needs exactly one", "give the region one label in Label Studio")
    if labels[0] not in CONTROL_LABELS[control]:
        return Problem(here, rid, f"{control} label {labels[0]!r} is not one of {', '.join(CONTROL_LABELS[control])}", CONFIG_HINT)
    if "text" in value and not isinstance(value["text"], str):
        return Problem(here, rid, "region text is not a string", "export the project as JSON from Label Studio")
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
