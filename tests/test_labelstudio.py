"""Label Studio round trip: export tasks, read a Label Studio JSON export back, lose nothing."""
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES, REPO
from newsspan.cli import main
from newsspan.fmt import format_annotation
from newsspan.labelstudio.offsets import COUNTINGS, OffsetMap
from newsspan.records import ANNOTATION_LABELS, ENTITY_LABELS

LS_FIXTURES = FIXTURES / "labelstudio"
UTF16_EXPORT = LS_FIXTURES / "export-utf16.json"


# -- helpers written for the tests, independent of the code under test ---------------------

def raw_text(root: Path, doc_id: str) -> str:
    [path] = (root / "raw").glob(f"{doc_id}.*")
    return path.read_bytes().decode("utf-8")


def annotation_texts(root: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((root / "annotations").glob("*.json"))}


def blank_layers(root: Path) -> None:
    """Empty the three layers, so that only an import can bring them back."""
    for path in (root / "annotations").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc.update(boilerplate=[], entities=[], quotes=[])
        path.write_text(format_annotation(doc), encoding="utf-8")


def utf16_units(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def crlf_as_one(text: str, cp: int) -> int:
    return cp - text[:cp + 1].count("\r\n")


COUNT = {
    "code points": lambda text, cp: cp,
    "utf-16": utf16_units,
    "crlf-as-one": crlf_as_one,
    "utf-16 crlf-as-one": lambda text, cp: utf16_units(text.replace("\r\n", "\n"), crlf_as_one(text, cp)),
}


def as_label_studio_export(tasks: list, counting: str) -> list:
    """What Label Studio exports after an annotator submits each task's prediction unchanged.

    Offsets are re-counted the way `counting` says; every third region loses its text, as in
    exports of projects whose text is not saved with the regions.
    """
    count = COUNT[counting]
    exported = []
    for n, task in enumerate(tasks, 1):
        text, result = task["data"]["text"], []
        for i, item in enumerate(task["predictions"][0]["result"]):
            item = json.loads(json.dumps(item))
            if item["type"] == "labels":
                value = item["value"]
                value["start"], value["end"] = count(text, value["start"]), count(text, value["end"])
                if i % 3 == 2:
                    del value["text"]
                item["origin"] = "prediction"
            result.append(item)
        annotation = {"id": 900 + n, "completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False,
                      "created_at": "2025-01-02T10:00:00.000000Z", "updated_at": "2025-01-02T10:05:00.000000Z",
                      "draft_created_at": None, "lead_time": 300.5, "prediction": {}, "result_count": 0,
                      "unique_id": f"00000000-0000-4000-8000-{n:012d}", "import_id": None, "last_action": None,
                      "bulk_created": False, "task": n, "project": 1, "updated_by": 1, "parent_prediction": None,
                      "parent_annotation": None, "last_created_by": None}
        exported.append({"id": n, "annotations": [annotation], "drafts": [], "predictions": [n], "data": task["data"],
                         "meta": {}, "created_at": "2025-01-02T09:00:00.000000Z", "updated_at": "2025-01-02T10:05:00.000000Z",
                         "inner_id": n, "total_annotations": 1, "cancelled_annotations": 0, "total_predictions": 1,
                         "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": None,
                         "project": 1, "updated_by": 1, "file_upload": 1, "comment_authors": []})
    return exported


def export_tasks(root: Path, out: Path, *doc_ids: str) -> list:
    assert main(["labelstudio", "export", *doc_ids, "--out", str(out), "--corpus", str(root)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def import_export(path: Path, root: Path, capsys=None) -> tuple[int, str]:
    code = main(["labelstudio", "import", str(path), "--corpus", str(root)])
    err = capsys.readouterr().err if capsys else ""
    return code, err


@pytest.fixture
def fixture_copy(tmp_path) -> Path:
    root = tmp_path / "fixtures"
    shutil.copytree(LS_FIXTURES, root)
    return root


# -- the labeling config ----------------------------------------------------------------------

def test_config_declares_the_three_layers_with_corpus_labels():
    view = ET.parse(REPO / "labelstudio" / "config.xml").getroot()
    texts = view.findall(".//Text")
    assert [(t.get("name"), t.get("value")) for t in texts] == [("text", "$text")]
    labels = {c.get("name"): [l.get("value") for l in c.findall("Label")] for c in view.findall(".//Labels")}
    assert labels == {"boilerplate": list(ANNOTATION_LABELS), "entity": list(ENTITY_LABELS),
                      "quote": ["direct", "indirect", "speaker", "cue"]}
    assert {c.get("toName") for c in view.findall(".//Labels")} == {"text"}
    assert [r.get("value") for r in view.findall(".//Relations/Relation")] == ["speaker", "cue", "continues"]


def test_config_variables_are_in_the_exported_task_data(tmp_path):
    config = (REPO / "labelstudio" / "config.xml").read_text(encoding="utf-8")
    [task] = export_tasks(CORPUS, tmp_path / "t.json", "nytimes-kherson-officials-flee")
    names = set(re.findall(r"\$([a-z_]+)", config))
    assert names == {"text", "title", "doc_id"} and names <= set(task["data"])


# -- export --------------------------------------------------------------------------------

def test_export_holds_raw_text_and_every_span_as_prediction(tmp_path):
    tasks = export_tasks(CORPUS, tmp_path / "tasks.json")
    assert [t["data"]["doc_id"] for t in tasks] == sorted(annotation_texts(CORPUS))
    for task in tasks:
        doc_id = task["data"]["doc_id"]
        text = raw_text(CORPUS, doc_id)
        assert task["data"]["text"] == text
        ann = json.loads((CORPUS / "annotations" / f"{doc_id}.json").read_text(encoding="utf-8"))
        quotes = ann["quotes"]
        regions_expected = (len(ann["boilerplate"]) + len(ann["entities"]) + sum(len(q["content"]) for q in quotes)
                            + sum(1 for q in quotes if q["speaker"] and "span" in q["speaker"]) + sum(1 for q in quotes if q["cue"]))
        relations_expected = sum(len(q["content"]) - 1 + (q["speaker"] is not None) + (q["cue"] is not None) for q in quotes)
        [prediction] = task["predictions"]
        regions = [r for r in prediction["result"] if r["type"] == "labels"]
        relations = [r for r in prediction["result"] if r["type"] == "relation"]
        assert (len(regions), len(relations)) == (regions_expected, relations_expected)
        for r in regions:
            assert r["to_name"] == "text" and r["value"]["text"] == text[r["value"]["start"]:r["value"]["end"]]
        ids = {r["id"] for r in regions}
        assert all(r["from_id"] in ids and r["to_id"] in ids for r in relations)


def test_export_is_deterministic(tmp_path):
    export_tasks(CORPUS, tmp_path / "a.json")
    export_tasks(CORPUS, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


# -- round trip --------------------------------------------------------------------------------

@pytest.mark.parametrize("counting", sorted(COUNT))
@pytest.mark.parametrize("source", ["corpus", "fixtures"])
def test_export_then_import_gives_identical_files(tmp_path, corpus_copy, fixture_copy, source, counting):
    root = corpus_copy if source == "corpus" else fixture_copy
    original = annotation_texts(root)
    tasks = export_tasks(root, tmp_path / "tasks.json")
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_label_studio_export(tasks, counting), ensure_ascii=False), encoding="utf-8")
    blank_layers(root)
    assert annotation_texts(root) != original
    assert import_export(export, root)[0] == 0
    assert annotation_texts(root) == original


def test_fixture_documents_have_emoji_and_crlf():
    texts = [raw_text(LS_FIXTURES, d) for d in annotation_texts(LS_FIXTURES)]
    assert all(any(ord(c) > 0xFFFF for c in t) for t in texts)
    assert any("\r\n" in t for t in texts)


def test_utf16_export_fixture_imports_to_the_fixture_files(fixture_copy, capsys):
    export = json.loads(UTF16_EXPORT.read_text(encoding="utf-8"))
    # The fixture really counts UTF-16 units: some region's text is at its offsets only in UTF-16.
    for task in export:
        text = task["data"]["text"].encode("utf-16-le")
        values = [r["value"] for a in task["annotations"] for r in a["result"] if r["type"] == "labels"]
        moved = [v for v in values if "text" in v and task["data"]["text"][v["start"]:v["end"]] != v["text"]]
        assert moved and all(text[2 * v["start"]:2 * v["end"]].decode("utf-16-le").strip() == v["text"].strip() for v in moved)
        assert any("text" not in v for v in values)
    original = annotation_texts(fixture_copy)
    blank_layers(fixture_copy)
    code, err = import_export(UTF16_EXPORT, fixture_copy, capsys)
    assert code == 0, err
    assert annotation_texts(fixture_copy) == original
    assert "UTF-16 code units" in err


def test_utf16_fixture_second_task_was_drawn_by_hand():
    # Task 18 has Label Studio's own region ids, unlabelled relations and a cancelled annotation:
    # its corpus ids can only come from text order.
    task = json.loads(UTF16_EXPORT.read_text(encoding="utf-8"))[1]
    cancelled, submitted = task["annotations"]
    assert cancelled["was_cancelled"] and not submitted["was_cancelled"]
    ids = [r["id"] for r in submitted["result"] if r["type"] == "labels"]
    assert not any(i[0] in "beq" and i[1:].isdigit() for i in ids)
    assert all(r["labels"] == [] for r in submitted["result"] if r["type"] == "relation")


# -- refusals --------------------------------------------------------------------------------

def _mutated(tmp_path: Path, change) -> Path:
    export = json.loads(UTF16_EXPORT.read_text(encoding="utf-8"))
    change(export)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _result(export, task: int, rid: str) -> dict:
    annotation = export[task]["annotations"][-1]
    return next(r for r in annotation["result"] if r.get("id") == rid)


def _wrong_text(export):
    _result(export, 0, "e3")["value"]["text"] = "Zelenskyy"


def _both_ground_truth(export):
    for a in export[0]["annotations"]:
        a["ground_truth"] = False


def _edited_task_text(export):
    export[0]["data"]["text"] = export[0]["data"]["text"].replace("Friday", "Monday")


def _orphan_cue(export):
    result = export[0]["annotations"][-1]["result"]
    result[:] = [r for r in result if not (r["type"] == "relation" and r["to_id"] == "q3-cue")]


def _contradicting_relation_label(export):
    result = export[0]["annotations"][-1]["result"]
    next(r for r in result if r["type"] == "relation" and r["to_id"] == "q3-cue")["labels"] = ["speaker"]


def _unknown_label(export):
    _result(export, 0, "e2")["value"]["labels"] = ["CITY"]


def _split_emoji(export):
    value = _result(export, 0, "b1")["value"]
    del value["text"]
    value["end"] = 30  # inside the surrogate pair of the megaphone emoji (UTF-16 units 29-31)


def _entity_to_entity(export):
    export[0]["annotations"][-1]["result"].append(
        {"from_id": "e1", "to_id": "e2", "type": "relation", "direction": "right", "labels": []})


def _same_document_twice(export):
    export.append(dict(json.loads(json.dumps(export[0])), id=99))


REFUSALS = {
    "relation between two entities": (_entity_to_entity, ["entity region 'e1' and entity region 'e2'"]),
    "one document in two tasks": (_same_document_twice, ["task 99", "already imported from task 17"]),
    "text not at its offsets": (_wrong_text, ["task 17", "annotation 53", "result 'e3'", "'Zelenskyy'"]),
    "two annotations, no ground truth": (_both_ground_truth, ["task 17", "52, 53", "ground truth"]),
    "task text edited": (_edited_task_text, ["task 17", "differs from"]),
    "cue linked to no quote": (_orphan_cue, ["result 'q3-cue'", "not linked to a quote"]),
    "relation label contradicts": (_contradicting_relation_label, ["labelled speaker", "its cue"]),
    "label not in the config": (_unknown_label, ["result 'e2'", "'CITY'"]),
    "offset inside a character": (_split_emoji, ["result 'b1'", "split a character"]),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_refused_imports_write_nothing_and_say_where(tmp_path, fixture_copy, capsys, name):
    change, expected = REFUSALS[name]
    before = annotation_texts(fixture_copy)
    code, err = import_export(_mutated(tmp_path, change), fixture_copy, capsys)
    assert code == 1 and "Traceback" not in err
    assert annotation_texts(fixture_copy) == before
    first = err.splitlines()[0]
    path, line, col, _ = first.split(":", 3)
    assert path.endswith("export.json") and int(line) > 1 and int(col) > 0
    for part in expected:
        assert part in err, (part, err)
    assert "hint:" in err and "nothing written" in err


def test_json_min_export_is_refused(tmp_path, fixture_copy, capsys):
    path = tmp_path / "min.json"
    path.write_text(json.dumps([{"id": 17, "text": "x", "label": [{"start": 0, "end": 4, "labels": ["GPE"]}]}]))
    code, err = import_export(path, fixture_copy, capsys)
    assert code == 1 and "JSON-MIN" in err


def test_an_import_whose_files_would_not_validate_writes_nothing(tmp_path, fixture_copy, capsys):
    """Regression: the files were written first and validated after, leaving invalid files behind."""
    # A second entity inside "Volodymyr Zelensky" anchors fine but breaks a corpus rule (NS402).
    def overlap(export):
        extra = json.loads(json.dumps(_result(export, 0, "e3")))
        extra["id"], extra["value"]["labels"] = "Xq81_kPz0a", ["ORG"]
        extra["value"]["start"] += 10
        extra["value"]["text"] = "Zelensky"
        export[0]["annotations"][-1]["result"].append(extra)
    before = annotation_texts(fixture_copy)
    code, err = import_export(_mutated(tmp_path, overlap), fixture_copy, capsys)
    assert code == 1 and "NS402 overlapping-spans" in err and "nothing written" in err
    first = err.splitlines()[0]
    path, line, _ = first.split(":", 2)
    assert path.endswith("export.json") and int(line) > 1
    assert "task 17 (emoji-crlf-bulletin) annotation" in first and "result 'Xq81_kPz0a'" in first and "result 'e3'" in first
    assert annotation_texts(fixture_copy) == before


def test_a_region_submitted_twice_writes_nothing(tmp_path, fixture_copy, capsys):
    """The same region twice in one annotation (a double submit) overlaps itself: refused, named."""
    def twice(export):
        again = json.loads(json.dumps(_result(export, 0, "e3")))
        again["id"] = "dup-e3"
        export[0]["annotations"][-1]["result"].append(again)
    before = annotation_texts(fixture_copy)
    code, err = import_export(_mutated(tmp_path, twice), fixture_copy, capsys)
    assert code == 1 and "nothing written" in err and ("result 'dup-e3'" in err or "result 'e3'" in err), err
    assert annotation_texts(fixture_copy) == before


def test_task_without_annotation_is_skipped(tmp_path, fixture_copy, capsys):
    path = _mutated(tmp_path, lambda e: e[1].update(annotations=[]))
    code, err = import_export(path, fixture_copy, capsys)
    assert code == 0 and "task 18 (emoji-feed-post): no annotation submitted, skipped" in err


def test_command_line_exit_codes(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "labelstudio", *args],
                              capture_output=True, text=True, timeout=300, cwd=REPO)
    missing = run("import", str(tmp_path / "nothing.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = run("export", "no-such-doc", "--out", str(tmp_path / "t.json"))
    assert unknown.returncode == 2 and "unknown document id 'no-such-doc'" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


# -- offsets ---------------------------------------------------------------------------------

def test_offset_countings_by_hand():
    text = "a\U0001F600\r\nb"  # code points: a=0, emoji=1, CR=2, LF=3, b=4
    by_name = {c.name: OffsetMap(text, c) for c in COUNTINGS}
    utf16 = by_name["UTF-16 code units"]  # units: a=0, emoji=1-2, CR=3, LF=4, b=5
    assert [utf16.to_code_point(u) for u in range(7)] == [0, 1, None, 2, 3, 4, 5]
    one = by_name["code points with CR LF as one"]  # units: a=0, emoji=1, CRLF=2, b=3
    assert [one.to_code_point(u) for u in range(5)] == [0, 1, 2, 4, 5]
    both = by_name["UTF-16 code units with CR LF as one"]  # a=0, emoji=1-2, CRLF=3, b=4
    assert [both.to_code_point(u) for u in range(6)] == [0, 1, None, 2, 4, 5]
    assert by_name["code points"].to_code_point(6) is None
