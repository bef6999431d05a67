"""NER and quote scoring on tiny documents, with expected values worked out by hand."""
import pytest

from newsspan.evaluate.bio import chunks
from newsspan.evaluate.gold import NerRow
from newsspan.evaluate.ner import evaluate_ner, score_mentions, score_tags
from newsspan.evaluate.quotes import PredictedQuote, evaluate_quotes
from newsspan.records import LabelledSpan, Quote, Span
from test_evaluate import make_doc

RAW = "Joe Biden met Kyiv officials in New York."


def ent(i, text, label, raw=RAW):
    start = raw.index(text)
    return LabelledSpan(f"e{i}", start, start + len(text), label, text)


NER_DOC = make_doc(RAW, entities=[ent(1, "Joe Biden", "PERSON"), ent(2, "Kyiv", "GPE"), ent(3, "New York", "GPE")])
PREDICTED = [(0, 9, "PERSON"),      # right
             (14, 18, "ORG"),       # Kyiv with the wrong label
             (32, 35, "GPE"),       # "New": overlaps New York
             (19, 28, "PERSON")]    # "officials": spurious


def test_mentions_exact_and_overlap_per_label():
    scores = score_mentions({"doc": PREDICTED}, [NER_DOC])
    exact, overlap = scores["exact"], scores["overlap"]
    assert (exact["PERSON"].precision, exact["PERSON"].recall) == (0.5, 1.0)
    assert (exact["GPE"].precision, exact["GPE"].recall, exact["GPE"].f1) == (0.0, 0.0, 0.0)
    assert (exact["ORG"].precision, exact["ORG"].recall, exact["ORG"].f1) == (0.0, None, 0.0)
    assert exact["LOC"].f1 is None                                   # nothing predicted, nothing to find
    assert (exact["ALL"].precision, exact["ALL"].recall) == (0.25, pytest.approx(1 / 3))
    assert exact["ALL"].f1 == pytest.approx(2 / 7)
    assert (overlap["GPE"].precision, overlap["GPE"].recall) == (1.0, 0.5)
    assert (overlap["ALL"].precision, overlap["ALL"].recall) == (0.5, pytest.approx(2 / 3))
    assert overlap["ALL"].f1 == pytest.approx(4 / 7)


def test_gold_mentions_score_one_and_a_missing_document_scores_zero_recall():
    gold = [(e.start, e.end, e.label) for e in NER_DOC.entities]
    other = make_doc("Paris.", entities=[ent(1, "Paris", "GPE", "Paris.")], doc_id="other")
    result = evaluate_ner({"doc": gold}, {}, [NER_DOC, other], [])
    assert result.mentions["exact"]["ALL"].precision == 1.0
    assert result.mentions["exact"]["ALL"].recall == pytest.approx(3 / 4)
    assert result.missing_documents == ("other",) and result.bio is None


@pytest.mark.parametrize("tags, expected", [
    (["B-PERSON", "I-PERSON", "O"], {("PERSON", 0, 2)}),
    (["I-GPE", "I-GPE", "O"], {("GPE", 0, 2)}),                       # I- after O starts a chunk
    (["B-GPE", "B-GPE"], {("GPE", 0, 1), ("GPE", 1, 2)}),             # B- always starts a new one
    (["B-PERSON", "I-ORG", "I-ORG"], {("PERSON", 0, 1), ("ORG", 1, 3)}),  # a type change ends a chunk
    (["O", "O"], set()),
])
def test_bio_chunks_follow_seqeval_default_mode(tags, expected):
    assert chunks(tags) == expected


def test_bio_scores_match_the_seqeval_readme_example():
    # seqeval's README example (MISC written as GPE here): precision = recall = f1 = 0.5
    rows = [NerRow("d/0", "d", ("O", "O", "O", "B-GPE", "I-GPE", "I-GPE", "O")), NerRow("d/1", "d", ("B-PERSON", "I-PERSON", "O"))]
    preds = {"d/0": ["O", "O", "B-GPE", "I-GPE", "I-GPE", "I-GPE", "O"], "d/1": ["B-PERSON", "I-PERSON", "O"]}
    scores = score_tags(preds, rows)
    assert (scores["ALL"].precision, scores["ALL"].recall, scores["ALL"].f1) == (0.5, 0.5, 0.5)
    assert (scores["PERSON"].f1, scores["GPE"].f1) == (1.0, 0.0)


def test_a_missing_row_counts_as_all_o():
    rows = [NerRow("d/0", "d", ("B-GPE",)), NerRow("d/1", "d", ("B-ORG", "I-ORG"))]
    result = evaluate_ner({}, {"d/0": ["B-GPE"]}, [], rows)
    assert (result.bio["ALL"].tp, result.bio["ALL"].fp, result.bio["ALL"].fn) == (1, 0, 1)
    assert result.missing_rows == ("d/1",) and result.mentions is None


# -- quotes ----------------------------------------------------------------------------------

QRAW = '"We stay," Kots said. He added that troops left. "No comment," an aide said.'


def span(text):
    start = QRAW.index(text)
    return Span(start, start + len(text), text)


def at(text):
    start = QRAW.index(text)
    return (start, start + len(text))


KOTS = LabelledSpan("e1", 11, 15, "PERSON", "Kots")
QUOTE_DOC = make_doc(QRAW, entities=[KOTS], quotes=[
    Quote("q1", "direct", (span("We stay,"),), "e1", None, span("said")),
    Quote("q2", "indirect", (span("troops left"),), "e1", None, span("added")),
    Quote("q3", "direct", (span("No comment,"),), None, span("an aide"), None),
])


def test_quotes_overlap_pairing_exact_chars_and_speakers():
    assert QRAW[KOTS.start:KOTS.end] == "Kots"
    preds = [PredictedQuote((at("We stay,"),), "KOTS"),          # exact content, speaker right (case-insensitive)
             PredictedQuote((at("that troops"),), "Smith"),      # overlaps q2 ("troops"), wrong speaker
             PredictedQuote((at("Kots said"),), None)]           # overlaps no quote
    result = evaluate_quotes({"doc": preds}, [QUOTE_DOC])
    assert (result.quotes.precision, result.quotes.recall) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (result.exact.precision, result.exact.recall) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert result.speaker_accuracy == 0.5
    # characters: gold We stay, 7 + troops left 10 + No comment, 10 = 27;
    # predicted We stay, 7 + that troops 10 + Kots said 8 = 25; shared 7 + 6 = 13
    assert (result.chars.tp, result.chars.fp, result.chars.fn) == (13, 12, 14)


def test_one_gold_quote_pairs_with_one_prediction_the_largest_overlap():
    preds = [PredictedQuote((at("We"),), None), PredictedQuote((at("We stay,"),), "Kots")]
    result = evaluate_quotes({"doc": preds}, [QUOTE_DOC])
    assert (result.quotes.pred_matched, result.quotes.pred, result.quotes.gold) == (1, 2, 3)
    assert result.speakers_right == 1    # the larger overlap (with the right speaker) was paired


def test_description_speaker_and_unknown_speaker():
    other = make_doc("They said stop now.", quotes=[Quote("q1", "indirect", (Span(10, 18, "stop now"),), None, None, None)],
                     doc_id="other")
    preds = {"doc": [PredictedQuote((at("No comment,"),), "An  Aide")], "other": [PredictedQuote(((10, 14),), None)]}
    result = evaluate_quotes(preds, [QUOTE_DOC, other])
    assert result.speakers_right == 2 and result.quotes.pred_matched == 2


def test_missing_document_scores_no_quotes():
    result = evaluate_quotes({}, [QUOTE_DOC])
    assert result.quotes.recall == 0.0 and result.quotes.precision is None
    assert [d.missing for d in result.documents] == [True]
