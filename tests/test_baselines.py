"""Boilerplate-removal baselines: the HTML conversion, our heuristic, the adapters, the benchmark."""
import json
import subprocess
import sys

import pytest

from newsspan.baselines import BASELINES, by_name, external, heuristic
from newsspan.baselines.html import html_to_text, to_html
from newsspan.records import Document, LabelledSpan, Metadata, Provenance

from conftest import REPO

HEAD = '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n</head>\n<body>\n'
TAIL = "</body>\n</html>\n"

# Three article paragraphs, each longer than 200 characters: jusText calls shorter ones "near good"
# at best, and a page of only near-good paragraphs has no content for it.
ARTICLE = (
    "The regional administration began moving its offices across the river on Monday, and officials who had "
    "stayed in the city for months said that they did not expect to return before the winter, when the roads "
    "are usually closed.",
    "Residents who remained described long queues at the last open pharmacy, where the staff said that supplies "
    "of insulin and other medicines would run out within a week if the bridge stayed closed to all traffic for "
    "much longer.",
    "Several of the people who spoke to reporters asked that their names not be used, because they feared what "
    "would happen to their relatives if the soldiers came back to the town after the evacuation had been completed.",
)
TEXT_PAGE = "\n".join(["Home | World | Sport", "A river town waits for the army", *ARTICLE, "Support us!", "Read more"])
MARKDOWN_PAGE = "\n\n".join(["[Home](/) [World](/world)", "# A river town waits for the army", *ARTICLE,
                             "Support us!", "[Read more](/more)"])
ADAPTERS = [external.justext_text, external.boilerpy3_text, external.trafilatura_text,
            external.readability_text, external.resiliparse_text, heuristic.line_heuristic]


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- HTML conversion -------------------------------------------------------------------------

def test_markdown_links_become_anchors_and_paragraphs_p():
    page = "# Flag gone\n\nAlexander Kots [said](#) on his channel.\nSame paragraph.\n\nSource: <https://t.me/x>\n"
    assert to_html(page, "markdown") == HEAD + (
        "<h1>Flag gone</h1>\n"
        '<p>Alexander Kots <a href="#">said</a> on his channel.\nSame paragraph.</p>\n'
        '<p>Source: <a href="https://t.me/x">https://t.me/x</a></p>\n') + TAIL


def test_plain_text_lines_become_escaped_paragraphs_and_raw_html_in_markdown_stays_text():
    assert to_html("  Title line \n\n\nA & B <b>bold</b>\nlast", "text") == HEAD + (
        "<p>Title line</p>\n<p>A &amp; B &lt;b&gt;bold&lt;/b&gt;</p>\n<p>last</p>\n") + TAIL
    assert to_html("A <b>tag</b>", "markdown") == HEAD + "<p>A &lt;b&gt;tag&lt;/b&gt;</p>\n" + TAIL


def test_unknown_raw_format_is_refused():
    with pytest.raises(ValueError, match="unknown raw_format 'html'"):
        to_html("x", "html")


def test_html_to_text_gives_one_line_per_block():
    html = "<div><h2>Head</h2><p>One <a href='#'>linked</a>\n  word.</p><!-- note --><p>Two</p>tail<script>x()</script></div>"
    assert html_to_text(html) == "Head\nOne linked word.\nTwo\ntail"
    assert html_to_text("  ") == ""


# -- our line heuristic ----------------------------------------------------------------------

def test_heuristic_features_are_the_documented_ratios():
    # 7 words, 2 stopwords (the, of); 36 non-space characters, 2 of them punctuation (',' and '.').
    found = heuristic.features("Russia, the loss of Kherson region stings.")
    assert found == heuristic.LineFeatures(words=7, link_density=0.0, punctuation=2 / 36, stopwords=2 / 7)


def test_heuristic_reads_markdown_as_a_reader_sees_it():
    assert heuristic.visible("# Kots [said](#) it, see <https://t.me/x>", "markdown") == ("Kots said it, see https://t.me/x", 4 + 14)
    assert heuristic.visible("Kots [said](#) it", "text") == ("Kots [said](#) it", 0)
    assert heuristic.visible("read www.example.com now", "text") == ("read www.example.com now", 15)


def test_heuristic_keeps_article_lines_and_drops_short_and_link_lines():
    for page, fmt in ((TEXT_PAGE, "text"), (MARKDOWN_PAGE, "markdown")):
        assert heuristic.line_heuristic(page, fmt) == "\n".join(["A river town waits for the army", *ARTICLE]), fmt


def test_heuristic_drops_lines_of_links_punctuation_or_foreign_words():
    long_links = "[One story about the war](/a) [Another story about the city](/b)"
    assert heuristic.line_heuristic(long_links, "markdown") == ""
    assert heuristic.line_heuristic("Prices: $5 / $7 / $9 -- (all) + tax", "text") == ""
    assert heuristic.line_heuristic("Putin declara la ley marcial en las regiones anexionadas", "text") == ""


# -- adapters --------------------------------------------------------------------------------

@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_adapters_keep_the_article_and_return_plain_text(adapter, fmt):
    out = adapter(TEXT_PAGE if fmt == "text" else MARKDOWN_PAGE, fmt)
    assert isinstance(out, str)
    for paragraph in ARTICLE:
        assert paragraph in _flat(out)
    assert "<p>" not in out and "&amp;" not in out and "](" not in out


def test_registry_names_are_unique_and_every_external_adapter_is_registered():
    names = [b.name for b in BASELINES]
    assert len(names) == len(set(names)) == 12
    html_extractors = {"justext", "boilerpy3", "trafilatura", "readability-lxml", "resiliparse"}
    assert html_extractors | {"c4", "fineweb", "line-classifier"} <= set(names)
    assert by_name()["trafilatura"].packages[0] == "trafilatura"
    # Exactly the HTML extractors run on original HTML, exactly the learned system trains.
    assert {b.name for b in BASELINES if b.from_html} == html_extractors
    assert [b.name for b in BASELINES if b.train] == ["line-classifier"]
    assert all(b.family in ("trivial", "heuristic", "external", "textclean", "learned") for b in BASELINES)


# A real page's HTML: navigation, the article in <article>, a sidebar and a footer.
ORIGINAL_HTML = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>A river town waits</title></head><body>"
                 "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
                 "<li><a href='/sport'>Sport</a></li></ul></nav>"
                 "<article><h1>A river town waits for the army</h1>"
                 + "".join(f"<p>{p}</p>" for p in ARTICLE) +
                 "</article><aside><h3>Most read</h3><ul><li><a href='/a'>Ten things to do this weekend</a></li>"
                 "<li><a href='/b'>Prices rise again</a></li></ul></aside>"
                 "<footer><p>Support us! Copyright 2022 The Paper. All rights reserved.</p></footer></body></html>")


@pytest.mark.parametrize("system", [b for b in BASELINES if b.from_html], ids=lambda b: b.name)
def test_html_extractors_on_original_html_keep_the_article_and_drop_the_menu(system):
    out = system.from_html(ORIGINAL_HTML)
    assert isinstance(out, str)
    for paragraph in ARTICLE:
        assert paragraph in _flat(out), system.name
    assert "Ten things to do" not in out and "<p>" not in out


def test_justext_on_original_html_uses_aebs_settings():
    import justext

    # AEB's settings, positionally as upstream passes them, give the same paragraphs joined by spaces.
    good = [p.text for p in justext.justext(ORIGINAL_HTML, justext.get_stoplist("English"),
                                            50, 200, 0.1, 0.2, 0.2, 200, True) if not p.is_boilerplate]
    assert external.justext_html(ORIGINAL_HTML) == " ".join(good) and len(good) >= 3
    assert "\n" not in external.justext_html(ORIGINAL_HTML)


# -- trivial baselines, scored ---------------------------------------------------------------

def _tiny_doc() -> Document:
    # 10 non-space boilerplate characters ("Supportus!"), 19 content ones ("Thearticletexthere.").
    raw = "Support us!\nThe article text here.\n"
    meta = Metadata(None, "Tiny", "t", None, "en", None, None, "text", "test only", "0" * 64, None)
    return Document("tiny", raw, meta, None, "test", Provenance(("a",), "gold", "1.0"),
                    (LabelledSpan("b1", 0, 11, "appeal", "Support us!"),), (), ())


def _f1s(system_name: str, doc: Document) -> tuple:
    from newsspan.evaluate import evaluate_texts

    overall = evaluate_texts({doc.doc_id: by_name()[system_name].extract(doc)}, [doc]).overall
    spans = {key: overall.spans[key]["micro"].f1.value for key in ("char/content", "char/boilerplate", "token/content")}
    return spans["char/content"], spans["char/boilerplate"], spans["token/content"], overall.aeb.f1.value


def test_trivial_baselines_score_what_is_computed_by_hand():
    doc = _tiny_doc()
    # keep: content tp 19, fp 10 -> 38/48; boilerplate tp 0 -> 0; tokens: 4 content + 2 boilerplate kept -> 8/10;
    # AEB: gold has 1 shingle, the page 3, 1 shared -> P 1/3, R 1 -> F1 0.5.
    assert _f1s("keep-everything", doc) == pytest.approx((38 / 48, 0.0, 0.8, 0.5))
    # remove: content tp 0 -> 0; boilerplate tp 10, fp 19 -> 20/39; AEB: no predicted shingle -> 0.
    assert _f1s("remove-everything", doc) == pytest.approx((0.0, 20 / 39, 0.0, 0.0))
    assert _f1s("gold-oracle", doc) == (1.0, 1.0, 1.0, 1.0)


def test_gold_oracle_scores_exactly_one_on_the_real_corpus():
    from newsspan.evaluate import evaluate_texts
    from newsspan.validate import validate_corpus

    from conftest import CORPUS

    docs = list(validate_corpus(CORPUS).documents.values())
    overall = evaluate_texts({d.doc_id: by_name()["gold-oracle"].extract(d) for d in docs}, docs).overall
    assert overall.documents == len(docs) == len(list((CORPUS / "annotations").glob("*.json")))
    for key in ("char/content", "char/boilerplate", "token/content", "token/boilerplate"):
        assert overall.spans[key]["micro"].f1.value == 1.0, key
    assert overall.aeb.f1.value == 1.0 and overall.aeb_exact.value == 1.0


# -- running, failures, reproducibility ------------------------------------------------------

def test_a_library_error_is_an_empty_answer_and_is_recorded():
    from newsspan.baselines import Baseline
    from newsspan.baselines.run import predict

    def broken(doc):
        raise RuntimeError("parser exploded")
    texts, failures = predict(Baseline("broken", "external", "fails", broken), [_tiny_doc()])
    assert texts == {"tiny": ""} and failures == {"tiny": "RuntimeError"}


def test_a_system_that_answers_differently_twice_is_refused():
    from newsspan.baselines import Baseline
    from newsspan.baselines.run import NotReproducible, timed_predictions

    calls = []

    def drifting(doc):
        calls.append(1)
        return "x" * len(calls)
    with pytest.raises(NotReproducible, match="'tiny'"):
        timed_predictions(Baseline("drift", "heuristic", "drifts", drifting), [_tiny_doc()])


def test_a_missing_library_is_named():
    from newsspan.baselines import Baseline, unavailable

    ghost = Baseline("ghost", "external", "x", lambda d: "", ("no-such-distribution-newsspan",), "no_such_module")
    assert unavailable(ghost) == "no-such-distribution-newsspan is not installed"
    assert all(unavailable(b) is None for b in BASELINES)


# -- leaderboard -----------------------------------------------------------------------------

def _result(system, versions, content, boilerplate, token, aeb, seconds, split="test"):
    f1 = lambda v: {"micro": {"f1": {"value": v, "low": None, "high": None}}}  # noqa: E731
    return {"system": system, "versions": versions, "dataset_version": "0.1.0", "split": split,
            "documents": ["d1", "d2"],
            "scores": {"overall": {"spans": {"char/content": f1(content), "char/boilerplate": f1(boilerplate),
                                             "token/content": f1(token)},
                                   "aeb": {"f1": dict(zip(("value", "low", "high"), aeb))}}},
            "runtime": {"wall_seconds": seconds}}


def test_leaderboard_renders_the_results_best_first(tmp_path):
    from newsspan.baselines.leaderboard import leaderboard_markdown

    (tmp_path / "alpha.json").write_text(json.dumps(_result("alpha", {"alpha-lib": "1.2", "lxml": "6"}, 0.5, 0.25, 0.4,
                                                            (0.3, 0.1, 0.6), 0.01)))
    (tmp_path / "beta.json").write_text(json.dumps(_result("beta", {}, 0.75, None, 0.7, (0.8, None, None), 0.002)))
    (tmp_path / "leaderboard.md").write_text("not a result")
    caption, board = leaderboard_markdown(tmp_path).split("\n\n")
    assert caption.startswith("NewsSpan 0.1.0, test split (2 documents). ")
    assert board == (
        "| system | version | char F1 content / boilerplate | token F1 content | AEB F1 [95% CI] | runtime (ms/doc) |\n"
        "|---|---|---|---|---|---|\n"
        "| beta | this repository | 0.750 / n/a | 0.700 | 0.800 | 1.0 |\n"
        "| alpha | alpha-lib 1.2 | 0.500 / 0.250 | 0.400 | 0.300 [0.100, 0.600] | 5.0 |")


def test_leaderboard_refuses_to_mix_splits_and_needs_results(tmp_path):
    from newsspan.baselines.leaderboard import leaderboard_markdown

    with pytest.raises(ValueError, match="no results"):
        leaderboard_markdown(tmp_path)
    (tmp_path / "a.json").write_text(json.dumps(_result("a", {}, 0.5, 0.5, 0.5, (0.5, None, None), 0.1)))
    (tmp_path / "b.json").write_text(json.dumps(_result("b", {}, 0.5, 0.5, 0.5, (0.5, None, None), 0.1, split="all")))
    with pytest.raises(ValueError, match="mix different documents"):
        leaderboard_markdown(tmp_path)
    (tmp_path / "b.json").write_text('{"system": "b",\n  oops}')
    with pytest.raises(ValueError, match=r"b\.json:2:3: not valid JSON"):
        leaderboard_markdown(tmp_path)


# -- the committed results and the command ---------------------------------------------------

RESULTS = REPO / "benchmarks" / "results"


def _documents_of_version(documents, version: str) -> dict:
    """The documents corpus/released_splits.json records with `version` or an earlier one."""
    from conftest import CORPUS

    key = lambda v: tuple(int(n) for n in v.split("."))
    records = json.loads((CORPUS / "released_splits.json").read_text(encoding="utf-8"))
    return {d: documents[d] for d, e in records.items() if key(e["version"]) <= key(version)}


def test_committed_results_are_what_the_benchmark_gives_now():
    """Every results file, rerun, is identical but for its runtime; the leaderboard file is current."""
    from newsspan.baselines.leaderboard import leaderboard_markdown
    from newsspan.baselines.run import benchmark_documents, result_text, score_system
    from newsspan.validate import validate_corpus

    from conftest import CORPUS

    documents = validate_corpus(CORPUS).documents
    committed = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob("*.json")}
    assert sorted(committed) == sorted(b.name for b in BASELINES), "run: python3 build_dataset.py benchmark"
    for system in BASELINES:
        old = committed[system.name]
        # Scored again on the documents of the version the results name (they say which), so that a
        # page added since does not make them wrong; rerunning the benchmark moves them on.
        held = _documents_of_version(documents, old["dataset_version"])
        new = score_system(system, benchmark_documents(held, old["split"]), old["split"])
        new["dataset_version"] = old["dataset_version"]
        old.pop("runtime"), new.pop("runtime")
        assert result_text(new) == result_text(old), f"{system.name}: run python3 build_dataset.py benchmark"
    assert (RESULTS / "leaderboard.md").read_text(encoding="utf-8") == leaderboard_markdown(RESULTS) + "\n"


def _cli(*args):
    proc = subprocess.run([sys.executable, str(REPO / "build_dataset.py"), "benchmark", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def test_benchmark_command_writes_results_and_leaderboard(tmp_path):
    code, out, err = _cli("--system", "keep-everything", "--system", "gold-oracle", "--split", "all", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold-oracle.json", "keep-everything.json", "leaderboard.md"]
    result = json.loads((tmp_path / "gold-oracle.json").read_text(encoding="utf-8"))
    from newsspan.release import project_version
    from newsspan.validate import validate_corpus

    from conftest import CORPUS
    held = _documents_of_version(validate_corpus(CORPUS).documents, project_version())
    assert result["split"] == "all" and result["documents"] == sorted(held) and result["failures"] == {}
    assert result["dataset_version"] == project_version()
    assert result["runtime"]["wall_seconds"] >= 0 and result["scores"]["overall"]["aeb"]["f1"]["value"] == 1.0
    assert "| gold-oracle | this repository | 1.000 / 1.000 |" in out
    # A partial run on other documents would make the leaderboard compare unlike rows: refused.
    code, _, err = _cli("--system", "remove-everything", "--out", str(tmp_path))
    assert code == 1 and "holds results of another split" in err and "gold-oracle.json" in err
    assert not (tmp_path / "remove-everything.json").exists()


def test_benchmark_command_usage_errors_exit_2():
    code, _, err = _cli("--system", "no-such-system")
    assert code == 2 and "unknown system 'no-such-system'" in err and "Traceback" not in err
    assert _cli("--split", "train")[0] == 2
