"""Boilerplate-removal metrics on tiny pages whose expected scores are worked out by hand.

Character counts in the comments are of non-space characters; tokens are `\\w+` words.
"""
import json
import random

import numpy as np
import pytest

from newsspan.evaluate import evaluate_spans, evaluate_system, evaluate_texts, render_markdown, to_json
from newsspan.evaluate.aeb import corpus_scores, page_counts, shingles
from newsspan.evaluate.align import align_text, token_pairs
from newsspan.evaluate.metrics import Counts
from newsspan.evaluate.stats import Bootstrap
from newsspan.records import Document, LabelledSpan, Metadata, Provenance


def make_doc(raw, boilerplate=(), entities=(), quotes=(), doc_id="doc", publisher="Pub", split="test"):
    """A Document from (text, label) boilerplate pieces, each found at its first occurrence."""
    meta = Metadata(None, publisher, "t", None, "en", None, None, "text", "r", "0" * 64, None)
    spans = []
    for i, (text, label) in enumerate(boilerplate):
        start = raw.index(text)
        spans.append(LabelledSpan(f"b{i}", start, start + len(text), label, text))
    return Document(doc_id, raw, meta, None, split, Provenance(("a",), "gold", "1.0"), tuple(spans),
                    tuple(entities), tuple(quotes))


def one(doc, prediction):
    return evaluate_texts({doc.doc_id: prediction}, [doc], resamples=0).documents[0]


def prf(counts):
    return counts.precision, counts.recall, counts.f1


# -- alignment by position ------------------------------------------------------------------

REPEATED = make_doc("Read more\nBody one.\nRead more", [("Read more", "navigation")])  # only the first is boilerplate


def test_repeated_string_credited_at_the_kept_position():
    score = one(REPEATED, "Body one.\nRead more")
    assert prf(score.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert prf(score.spans["char/boilerplate"]) == (1.0, 1.0, 1.0)
    assert score.leakage == {"navigation": (0, 8)}


def test_repeated_string_kept_at_the_wrong_position_is_not_credited_as_content():
    # kept: "Read more" #1 (8 boilerplate chars) + "Body one." (8); dropped: "Read more" #2 (8 content)
    score = one(REPEATED, "Read more\nBody one.")
    assert score.spans["char/content"] == Counts(tp=8, fp=8, fn=8)
    assert score.spans["char/boilerplate"] == Counts(tp=0, fp=8, fn=8)
    assert score.spans["token/content"] == Counts(tp=2, fp=2, fn=2)   # Body one | Read more #1 | Read more #2
    assert score.leakage == {"navigation": (8, 8)}


def test_alignment_is_a_longest_common_subsequence_not_greedy_blocks():
    # a greedy longest-block matcher pairs the kept second line with the first one and loses
    # "one" and "." of the first line; the LCS pairs all six predicted tokens
    doc = make_doc("one two three.\none two three.")
    score = one(doc, "one.\none two three.")
    assert score.unaligned_chars == 0
    assert score.spans["char/content"] == Counts(tp=16, fp=0, fn=8)   # kept: one . + the whole second line


@pytest.mark.parametrize("raw, boilerplate, predicted", [
    ("Story ends. Share\n\nComments: Share", ("Comments: Share", "comments"), "Story ends. Share"),
    ("Share: Menu\n\nShare Story begins.", ("Share: Menu", "navigation"), "Share Story begins."),
    ("Title\n\nThe caption here.\n\nThe story begins.", ("The caption here.", "caption"), "Title\n\nThe story begins."),
])
def test_a_kept_run_is_credited_where_it_stays_one_run(raw, boilerplate, predicted):
    score = one(make_doc(raw, [boilerplate]), predicted)
    assert prf(score.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert prf(score.spans["char/boilerplate"]) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("checkpoint", [2, 3, 256])   # rows recomputed from checkpoints, or all kept
def test_token_pairs_have_the_length_of_a_brute_force_lcs(monkeypatch, checkpoint):
    monkeypatch.setattr("newsspan.evaluate.align.CHECKPOINT", checkpoint)
    rng = random.Random(7)
    for _ in range(300):
        left = [rng.choice("abc") for _ in range(rng.randint(0, 9))]
        right = [rng.choice("abc") for _ in range(rng.randint(0, 9))]
        table = [[0] * (len(right) + 1) for _ in range(len(left) + 1)]
        for i, x in enumerate(left):
            for j, y in enumerate(right):
                table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
        pairs = token_pairs(left, right)
        assert len(pairs) == table[-1][-1]
        assert all(left[i] == right[j] for i, j in pairs)
        assert all(p[0] < q[0] and p[1] < q[1] for p, q in zip(pairs, pairs[1:]))


def test_whitespace_only_differences_cost_nothing():
    doc = make_doc("Hello  world.\u00a0Next\tline.\n\n\nEnd")
    score = one(doc, "Hello world. Next line.\nEnd")
    assert prf(score.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert score.spans["char/boilerplate"] == Counts(0, 0, 0)
    assert prf(score.spans["char/boilerplate"]) == (None, None, None)   # no boilerplate: nothing to score
    assert score.unaligned_chars == 0


@pytest.mark.parametrize("raw, predicted", [
    ("Santorareported the news.", "Santora reported the news."),   # split a glued word
    ("In New York today.", "In NewYork today."),                    # joined two words
])
def test_split_or_joined_words_are_aligned_by_character(raw, predicted):
    score = one(make_doc(raw), predicted)
    assert prf(score.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert score.unaligned_chars == 0 and score.unaligned_words == 0


def test_short_words_glued_by_a_deleted_run_are_credited_when_anchored():
    # deleting "[1]" glues "ok" and "go": both continue a token match at the edges of the gap
    doc = make_doc("ok[1]go home.", [("[1]", "markup")])
    score = one(doc, "okgo home.")
    assert prf(score.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert score.leakage == {"markup": (0, 3)}


def test_short_coincidental_characters_in_a_gap_are_not_credited():
    doc = make_doc("Body.\nSubscribe xyz", [("Subscribe xyz", "appeal")])
    found = align_text(doc.raw_text, "Body.\nzy")
    assert found.kept == bytes([1] * 5) + bytes(len(doc.raw_text) - 5)   # only "Body." (and nothing of the appeal)
    assert found.unaligned_chars == 2 and found.unaligned_words == 1


def test_markup_removed_by_the_system():
    # non-space: "#" 1, Title 5, Kots 4, "[" 1, said 4, "](#)" 4, on 2, "TV." 3 = 24; markup 6, content 18
    doc = make_doc("# Title\n\nKots [said](#) on TV.", [("#", "markup"), ("[", "markup"), ("](#)", "markup")])
    clean = one(doc, "Title\n\nKots said on TV.")
    assert prf(clean.spans["char/content"]) == (1.0, 1.0, 1.0)
    assert prf(clean.spans["char/boilerplate"]) == (1.0, 1.0, 1.0)
    assert clean.leakage == {"markup": (0, 6)}
    everything = one(doc, doc.raw_text)
    assert everything.spans["char/content"] == Counts(tp=18, fp=6, fn=0)
    assert everything.spans["char/content"].f1 == pytest.approx(36 / 42)
    assert everything.spans["char/boilerplate"] == Counts(tp=0, fp=0, fn=6)
    assert everything.leakage == {"markup": (6, 6)}
    assert everything.spans["token/boilerplate"] == Counts(0, 0, 0)   # markup has no \w characters


UNICODE = make_doc("\u201cQuote\u201d \U0001F600 caf\u00e9\u00a0bar.\nSubscribe now! \U0001F389",
                   [("Subscribe now! \U0001F389", "appeal")])


def test_unicode_curly_quotes_nbsp_and_astral_emoji():
    # content: “Quote” 7, 😀 1, café 4, bar. 4 = 16; appeal: Subscribe 9, now 3, ! 1, 🎉 1 = 14
    score = one(UNICODE, '"Quote" \U0001F600 caf\u00e9 bar.')
    assert score.spans["char/content"] == Counts(tp=16, fp=0, fn=0)
    assert score.spans["char/boilerplate"] == Counts(tp=14, fp=0, fn=0)
    assert score.spans["token/content"] == Counts(tp=3, fp=0, fn=0)   # Quote café bar
    assert score.aeb == Counts(tp=1, fp=0, fn=0)                      # 3 tokens: one shingle


def test_span_predictions_count_code_points():
    end = UNICODE.raw_text.index("\nSubscribe")   # 19: the emoji is one code point
    assert end == 19
    result = evaluate_spans({"doc": [(0, end)]}, [UNICODE], resamples=0)
    assert result.documents[0].spans["char/content"] == Counts(tp=16, fp=0, fn=0)
    assert result.documents[0].spans["char/boilerplate"] == Counts(tp=14, fp=0, fn=0)
    with pytest.raises(ValueError, match="not inside its raw text"):
        evaluate_spans({"doc": [(0, 99)]}, [UNICODE])


def test_unaligned_prediction_text_counts_against_content_precision():
    score = one(make_doc("Body text."), "Body text. Extra words here")
    assert score.unaligned_chars == 14 and score.unaligned_words == 3
    assert score.spans["char/content"] == Counts(tp=9, fp=14, fn=0)
    assert score.spans["token/content"].precision == pytest.approx(2 / 5)


def test_leakage_is_per_label():
    doc = make_doc("Share this\nBody text.\nPhoto: AP", [("Share this", "navigation"), ("Photo: AP", "credit")])
    assert one(doc, "Body text.\nPhoto: AP").leakage == {"navigation": (0, 9), "credit": (8, 8)}
    result = evaluate_texts({"doc": "Body text.\nPhoto: AP"}, [doc], resamples=0)
    assert result.overall.leakage["navigation"].value == 0.0 and result.overall.leakage["credit"].value == 1.0
    assert result.overall.leakage["appeal"].value is None and result.overall.gold_chars["appeal"] == 0


# -- empty and missing outputs, averages ----------------------------------------------------

A = make_doc("Alpha beta gamma delta.", doc_id="a", publisher="P1")   # 20 content chars, 4 tokens
B = make_doc("One two three four five.", doc_id="b", publisher="P2")  # 20 content chars, 5 tokens


def test_empty_output_scores_zero_recall_and_undefined_precision():
    score = one(B, "  \n")
    assert score.empty and not score.missing
    assert prf(score.spans["char/content"]) == (None, 0.0, 0.0)
    assert score.spans["char/content"] == Counts(0, 0, 20)


def test_missing_prediction_is_an_empty_output_and_is_flagged():
    given = evaluate_texts({"a": A.raw_text, "b": ""}, [A, B], resamples=0)
    missing = evaluate_texts({"a": A.raw_text}, [A, B], resamples=0)
    assert [d.missing for d in missing.documents] == [False, True]
    assert [d.spans for d in missing.documents] == [d.spans for d in given.documents]
    assert (missing.overall.empty, missing.overall.missing) == (1, 1)
    assert to_json(missing)["missing"] == ["b"]
    assert "Without a prediction (scored as empty output): b." in render_markdown(missing)


def test_micro_macro_median_and_aeb_with_one_empty_page():
    result = evaluate_texts({"a": A.raw_text, "b": ""}, [A, B], resamples=0)
    content = result.overall.spans["char/content"]
    # micro: tp 20, fp 0, fn 20; macro: P over the one page with output, R and F1 over both
    assert (content["micro"].precision.value, content["micro"].recall.value) == (1.0, 0.5)
    assert content["micro"].f1.value == pytest.approx(40 / 60)
    assert (content["macro"].precision.value, content["macro"].recall.value, content["macro"].f1.value) == (1.0, 0.5, 0.5)
    assert content["median"].f1.value == 0.5
    # AEB: page a P=R=1; page b has no predicted shingle (left out of P) and R=0
    aeb = result.overall.aeb
    assert (aeb.precision.value, aeb.recall.value) == (1.0, 0.5)
    assert aeb.f1.value == pytest.approx(2 / 3)
    assert result.overall.aeb_exact.value == 0.5
    assert sorted(result.publishers) == ["P1", "P2"] and result.publishers["P2"].empty == 1


def test_micro_and_macro_differ_when_sizes_differ():
    small = make_doc("Xy ad.", [("ad.", "related")], doc_id="s")       # content Xy 2, related 3
    large = make_doc("Long body text here.", doc_id="l")                  # content 17
    result = evaluate_texts({"s": small.raw_text, "l": "Long body"}, [small, large], resamples=0)
    content = result.overall.spans["char/content"]
    # s: tp 2 fp 3 fn 0 (P 0.4, R 1); l: tp 8 fp 0 fn 9 (P 1, R 8/17)
    assert content["micro"].precision.value == pytest.approx(10 / 13)
    assert content["micro"].recall.value == pytest.approx(10 / 19)
    assert content["macro"].precision.value == pytest.approx(0.7)
    assert content["macro"].recall.value == pytest.approx((1 + 8 / 17) / 2)


# -- the AEB score ---------------------------------------------------------------------------

def test_aeb_shingles_are_a_multiset_of_word_4grams():
    assert shingles("a b c d a b c d") == {("a", "b", "c", "d"): 2, ("b", "c", "d", "a"): 1,
                                            ("c", "d", "a", "b"): 1, ("d", "a", "b", "c"): 1}
    assert shingles("x, y!") == {("x", "y"): 1}      # under 4 tokens: one shingle of them all
    assert shingles(" ... ") == {}
    assert page_counts("a b c d a b c d", "a b c d") == Counts(tp=1, fp=0, fn=4)
    assert page_counts("a b c d a b c d", "a b c d a b c d a b c d") == Counts(tp=5, fp=4, fn=0)
    assert page_counts("x y", "x y z") == Counts(tp=0, fp=1, fn=1)


def test_aeb_corpus_is_the_f1_of_mean_precision_and_mean_recall():
    pages = [Counts(1, 0, 4), Counts(5, 4, 0)]        # P 1 and 5/9, R 1/5 and 1
    scores = corpus_scores(pages, Bootstrap(2, resamples=0))
    assert scores.precision.value == pytest.approx(7 / 9)
    assert scores.recall.value == pytest.approx(3 / 5)
    assert scores.f1.value == pytest.approx(21 / 31)
    nothing = corpus_scores([Counts(0, 0, 3)], Bootstrap(1, resamples=0))
    assert (nothing.precision.value, nothing.recall.value, nothing.f1.value) == (None, 0.0, 0.0)


# -- bootstrap, determinism, API -------------------------------------------------------------

def test_bootstrap_interval_is_the_documented_percentile_of_seeded_resamples():
    docs = [make_doc("Keep this. Ad here.", [("Ad here.", "appeal")], doc_id=f"d{i}") for i in range(3)]
    preds = {"d0": "Keep this.", "d1": "Keep this. Ad here.", "d2": "Keep"}
    result = evaluate_texts(preds, docs, resamples=200, seed=5)
    tp = np.array([9, 9, 4.0])
    fp = np.array([0, 7, 0.0])
    drawn = np.random.RandomState(5).randint(0, 3, size=(200, 3))
    samples = [tp[row].sum() / (tp[row].sum() + fp[row].sum()) for row in drawn]
    expected = np.percentile(samples, [2.5, 97.5])
    micro_p = result.overall.spans["char/content"]["micro"].precision
    assert micro_p.value == pytest.approx(22 / 29)
    assert (micro_p.low, micro_p.high) == pytest.approx(tuple(expected))


def test_same_inputs_give_the_same_bytes_and_the_seed_matters():
    words = "one two three four five six seven eight nine ten".split()
    docs = [make_doc(" ".join(words), doc_id=f"d{i}") for i in range(8)]
    preds = {f"d{i}": " ".join(words[:i + 2]) for i in range(8)}
    runs = [json.dumps(to_json(evaluate_texts(preds, docs))) for _ in range(2)]
    assert runs[0] == runs[1]
    assert json.dumps(to_json(evaluate_texts(preds, docs, seed=14))) != runs[0]


def test_evaluate_system_runs_the_callable_on_raw_text():
    result = evaluate_system(lambda raw: raw.split(" ")[0], [A, B], resamples=0)
    assert [d.spans["token/content"] for d in result.documents] == [Counts(1, 0, 3), Counts(1, 0, 4)]

    def broken(raw):
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError) as err:
        evaluate_system(broken, [A])
    assert "document 'a'" in "".join(err.value.__notes__)


def test_unknown_ids_are_refused_by_the_api():
    with pytest.raises(ValueError, match="unknown documents: zzz"):
        evaluate_texts({"zzz": "x"}, [A])


def test_markdown_report_has_the_tables():
    text = render_markdown(evaluate_texts({"a": A.raw_text, "b": "One two"}, [A, B], resamples=50))
    assert "| unit | class | average | precision | recall | F1 |" in text
    assert "| characters | content | micro | 1.000 [1.000, 1.000] |" in text
    assert "| appeal | 0 | no gold characters |" in text
    assert "| P2 | 1 | 0 |" in text
    assert "## AEB score" in text and "| precision | recall | F1 | exact |" in text
