"""Agreement between annotators: span F1 and character-level kappa, checked against hand computation."""
import json
import shutil

import pytest

from conftest import CORPUS, FIXTURES
from test_workflow_cli import run
from newsspan.validate import validate_corpus
from newsspan.workflow.agreement import load, measure
from newsspan.workflow.metrics import Mark, char_categories, cohen_kappa, span_counts

AGREEMENT = FIXTURES / "workflow" / "agreement"
# raw: "Buy now!\nKyiv met Lviv.\nShare this\n" (35 code points)
#   ann-a: appeal [0, 8), navigation [24, 34) "Share this"; GPE Kyiv [9, 13), GPE Lviv [18, 22)
#   ann-b: appeal [0, 8), navigation [30, 34) "this";       GPE Kyiv [9, 13), LOC Lviv [18, 22)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(AGREEMENT, root)
    return root


def test_span_f1_by_hand():
    result = measure(load(AGREEMENT).pairs)
    bp, ents = result.spans["boilerplate"], result.spans["entities"]
    # Boilerplate: 1 exact match of 2 + 2 spans -> 2*1/4; both pairs overlap -> P = R = 1.
    assert (bp["all"].exact_f1, bp["all"].overlap_f1) == (0.5, 1.0)
    assert (bp["appeal"].exact_f1, bp["navigation"].exact_f1, bp["navigation"].overlap_f1) == (1.0, 0.0, 1.0)
    # GPE: A has 2, B has 1 (Kyiv, exact): exact 2*1/3; overlap P = 1/1, R = 1/2 -> 2/3.
    assert ents["GPE"].exact_f1 == pytest.approx(2 / 3) and ents["GPE"].overlap_f1 == pytest.approx(2 / 3)
    assert (ents["LOC"].a, ents["LOC"].b, ents["LOC"].exact_f1, ents["LOC"].overlap_f1) == (0, 1, 0.0, 0.0)
    # All entities: 1 exact of 2 + 2; 1 of 2 overlap each way.
    assert (ents["all"].exact_f1, ents["all"].overlap_f1) == (0.5, 0.5)
    assert result.spans["quotes"]["all"].exact_f1 is None


def test_character_kappa_by_hand():
    kappa = measure(load(AGREEMENT).pairs).kappa
    # A: appeal 8, navigation 10, content 17; B: appeal 8, navigation 4, content 23; 29 of 35 agree.
    # p_o = 29/35; p_e = (8*8 + 10*4 + 17*23) / 35^2 = 495/1225; kappa = (1015 - 495) / (1225 - 495).
    assert kappa["all"] == pytest.approx(520 / 730)
    # Boilerplate vs content: A 18/17, B 12/23; p_e = (18*12 + 17*23) / 1225 = 607/1225.
    assert kappa["boilerplate vs content"] == pytest.approx(408 / 618)
    # Navigation vs the rest: A 10, B 4, 29 agree; p_e = (10*4 + 25*31) / 1225 = 815/1225.
    assert kappa["navigation"] == pytest.approx(200 / 410)
    assert kappa["appeal"] == pytest.approx(1.0)


def test_kappa_edge_cases():
    assert cohen_kappa(["content"] * 5, ["content"] * 5) is None  # no variation: undefined
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    assert cohen_kappa([], []) is None
    assert char_categories(5, [(1, 3, "x")]) == ["content", "x", "x", "content", "content"]


def test_multiset_exact_matches():
    one = Mark("GPE", ((0, 4),))
    counts = span_counts([one, one], [one])
    assert (counts.exact, counts.a_overlapping, counts.b_overlapping) == (1, 2, 1)
    assert counts.exact_f1 == pytest.approx(2 / 3)


def test_command_prints_markdown_tables(corpus):
    code, out, err = run("agreement", "--corpus", corpus)
    assert code == 0, err
    assert "| `doc` | `ann-a` | `ann-b` |" in out
    assert "| all | 2 | 2 | 0.500 | 1.000 | 0.712 |" in out
    assert "| navigation | 1 | 1 | 0.000 | 1.000 | 0.488 |" in out
    assert "| boilerplate vs content | | | | | 0.660 |" in out
    assert "| GPE | 2 | 1 | 0.667 | 0.667 |" in out


def test_every_pair_of_versions_is_compared(corpus):
    shutil.copy(corpus / "agreement" / "doc.ann-b.json", corpus / "agreement" / "doc.ann-c.json")
    pairs = load(corpus).pairs
    assert sorted((a.annotator, b.annotator) for a, b in pairs) == [("ann-a", "ann-b"), ("ann-a", "ann-c"), ("ann-b", "ann-c")]
    # B and C are identical, so the pooled boilerplate exact matches are 1 + 1 + 2 of 2+2 spans per pair.
    assert measure(pairs).spans["boilerplate"]["all"].exact_f1 == pytest.approx(2 * 4 / 12)


def test_an_invalid_agreement_file_is_reported_and_left_out(corpus):
    bad = corpus / "agreement" / "doc.ann-c.json"
    doc = json.loads((corpus / "agreement" / "doc.ann-b.json").read_text(encoding="utf-8"))
    doc["entities"][0]["start"] = 8
    bad.write_text(json.dumps(doc), encoding="utf-8")
    (corpus / "agreement" / "Bad Name.json").write_text("{}", encoding="utf-8")
    code, out, err = run("agreement", "--corpus", corpus)
    assert code == 1 and "Traceback" not in err
    assert "doc.ann-c.json:1:" in err and " NS304 " in err and "skipped" in err and "Bad Name.json" in err
    assert "| `doc` | `ann-a` | `ann-b` |" in out and "ann-c" not in out


def test_start_then_fix_an_agreement_file(corpus):
    (corpus / "agreement" / "doc.ann-b.json").unlink()
    code, out, _ = run("agreement", "--corpus", corpus, "--start", "doc", "--annotator", "ann-c")
    path = corpus / "agreement" / "doc.ann-c.json"
    assert code == 0 and path.is_file()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["provenance"]["annotators"] == ["ann-c"] and doc["entities"] == [] and doc["doc_id"] == "doc"
    doc["entities"] = [{"label": "GPE", "text": "Kyiv"}]
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert run("fix", path)[0] == 0
    assert json.loads(path.read_text(encoding="utf-8"))["entities"][0]["start"] == 9
    assert run("agreement", "--corpus", corpus, "--start", "doc", "--annotator", "ann-c")[0] == 1  # exists
    assert run("agreement", "--corpus", corpus, "--start", "doc")[0] == 2


def test_agreement_files_are_not_corpus_documents(corpus_copy):
    before = set(validate_corpus(corpus_copy).documents)
    real = set(validate_corpus(CORPUS).documents)
    assert run("agreement", "--corpus", corpus_copy, "--start", "nytimes-kherson-officials-flee", "--annotator", "second")[0] == 0
    report = validate_corpus(corpus_copy)
    assert report.ok and set(report.documents) == before
    assert set(validate_corpus(CORPUS).documents) == real  # the real corpus is not touched
