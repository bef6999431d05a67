"""Properties over random documents: valid ones validate clean and survive the build unchanged;
mutated ones never crash the validator and always get an incident with a code.

Small, derandomised budgets keep CI fast and reproducible; `build_dataset.py fuzz` runs the same
generators for longer.
"""
import json

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsspan.fuzz import Case, check, documents, encode, invalidating, spanned
from newsspan.incidents import CODES
from newsspan.release import build_release

CI = settings(max_examples=50, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


def _case(doc) -> Case:
    return Case(encode(doc.annotation), doc.raw.encode("utf-8"), "valid document")


@CI
@given(documents())
def test_random_valid_documents_validate_clean(workdir, doc):
    report = check(_case(doc), workdir / "corpus")
    assert report.incidents == []
    assert list(report.documents) == ["doc"]
    assert report.documents["doc"].raw_text == doc.raw


def _label_names(path, layer: str) -> list[str]:
    """Class-label names as the Parquet file itself declares them (its Hugging Face metadata)."""
    features = json.loads(pq.read_schema(path).metadata[b"huggingface"])["info"]["features"]
    return features[layer]["feature"]["label"]["names"]


def _expected_layer(annotation: dict, layer: str) -> list[tuple]:
    return sorted((s["start"], s["end"], s["text"], s["label"], s["id"]) for s in annotation[layer])


@settings(CI, max_examples=12)
@given(documents())
def test_random_valid_documents_build_and_load_back_identically(workdir, doc):
    corpus = workdir / "build-corpus"
    report = check(_case(doc), corpus)
    out = workdir / "dist"
    target = build_release(report.documents, out_root=out, force=True, corpus=corpus)
    split = doc.annotation["split"]
    (path,) = sorted((target / "data" / "documents").glob(f"{split}-*.parquet"))
    (row,) = pq.read_table(path).to_pylist()
    assert row["raw_text"] == doc.raw
    assert row["title"] == doc.annotation["metadata"]["title"]
    for layer in ("boilerplate", "entities"):
        names = _label_names(path, layer)
        got = sorted((s["start"], s["end"], s["text"], names[s["label"]], s["id"]) for s in row[layer])
        assert got == _expected_layer(doc.annotation, layer)
        assert all(doc.raw[s["start"]:s["end"]] == s["text"] for s in row[layer])
    got_quotes = sorted((q["id"], [(c["start"], c["end"], c["text"]) for c in q["content"]], q["speaker_entity_id"])
                        for q in row["quotes"])
    want_quotes = sorted((q["id"], [(c["start"], c["end"], c["text"]) for c in q["content"]],
                          (q["speaker"] or {}).get("entity")) for q in doc.annotation["quotes"])
    assert got_quotes == want_quotes


@CI
@given(st.data())
def test_byte_flips_never_crash_the_validator(workdir, data):
    doc = data.draw(documents())
    raw_bytes = encode(doc.annotation)
    at = data.draw(st.integers(0, len(raw_bytes) - 1))
    mask = data.draw(st.integers(1, 255))
    flipped = bytearray(raw_bytes)
    flipped[at] ^= mask
    check(Case(bytes(flipped), doc.raw.encode("utf-8"), f"byte {at} ^ {mask}"), workdir / "flips")


@CI
@given(st.data())
def test_invalidating_mutations_always_yield_an_incident(workdir, data):
    doc = data.draw(documents().filter(spanned))
    case = data.draw(invalidating(doc))
    report = check(case, workdir / "mutations")
    assert report.errors, case.how
    assert all(i.code in CODES for i in report.incidents)


PIECES = st.sampled_from(["a", "Z", " ", "é", "€", "\U0001F600", "\U00010348", "\r\n", "\n", "\r", "-"])


@st.composite
def _texts_with_a_span(draw):
    raw = "".join(draw(st.lists(PIECES, min_size=2, max_size=30)))
    start = draw(st.integers(0, len(raw) - 1))
    end = draw(st.integers(start + 1, len(raw)))
    return raw, start, end


def _miscounted(raw: str, k: int, unit: str) -> int:
    """Offset `k` (code points) as another tool counts it, computed from the encodings themselves."""
    if unit == "UTF-16":
        return len(raw[:k].encode("utf-16-le")) // 2
    if unit == "UTF-8":
        return len(raw[:k].encode("utf-8"))
    return len(raw[:k].replace("\r\n", "\n"))


@settings(CI, max_examples=200)
@given(_texts_with_a_span(), st.sampled_from(["UTF-16", "UTF-8", "CRLF"]))
def test_offsets_counted_in_another_unit_get_a_hint_with_the_right_offsets(text_span, unit):
    from newsspan.validate.miscount import misread_offsets_hint

    raw, start, end = text_span
    text = raw[start:end]
    if unit == "UTF-8":  # without astral characters the UTF-16 reading cannot match first
        raw = raw.replace("\U0001F600", "€").replace("\U00010348", "é")
        text = raw[start:end]
    if unit == "CRLF":  # a text counted on LF-only text has no CRLF in it, nor a lone edge CR
        raw = raw.encode("ascii", "replace").decode().replace("?", "a")
        text = raw[start:end]
        if "\r" in text or raw[start - 1:start + 1] == "\r\n" or raw[end - 1:end + 1] == "\r\n":
            return
    bad_start, bad_end = _miscounted(raw, start, unit), _miscounted(raw, end, unit)
    if raw[bad_start:bad_end] == text:
        return  # the miscount changed nothing here: no error to explain
    hint = misread_offsets_hint(text, bad_start, bad_end, raw)
    assert unit in hint
    assert f'"start": {start}, "end": {end}' in hint
