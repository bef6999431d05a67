"""The learned line classifier: labels, training, determinism, the train/test protocol."""
import random

import pytest

from newsspan.baselines import by_name, learned
from newsspan.records import Document, LabelledSpan, Metadata, Provenance

from conftest import CORPUS

WORDS = ("the river town army bridge officials residents pharmacy supplies medicine winter road reporters "
         "relatives soldiers evacuation mayor school teachers families shelter water grain farmers").split()
GLUE = ("of", "and", "that", "with", "for", "in", "to", "was", "were", "had", "said")
MENU = ["Home", "World", "Sport", "Opinion", "Culture", "Video", "Podcasts", "Newsletters"]
FOOTER = ["Share on Facebook", "Follow us on Twitter", "Copyright 2022 The Paper", "Privacy | Terms | Contact",
          "Sign up for our newsletter", "Most read", "Advertisement", "Comments (12)"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) if i % 2 == 0 else rng.choice(GLUE) for i in range(rng.randint(14, 30))]
    return " ".join(words).capitalize() + "."


def synthetic(doc_id: str, seed: int, raw_format: str = "text") -> Document:
    """A page: menu lines, a headline, prose paragraphs, footer lines; the menu and footer are boilerplate."""
    rng = random.Random(seed)
    top = [" | ".join(rng.sample(MENU, 4)), rng.choice(MENU)]
    prose = [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 8))]
    bottom = rng.sample(FOOTER, 4)
    spans, parts, pos = [], [], 0
    for i, (line, boiler) in enumerate([(t, True) for t in top] + [(p, False) for p in prose] + [(b, True) for b in bottom]):
        if boiler:
            spans.append(LabelledSpan(f"b{i}", pos, pos + len(line), "navigation", line))
        parts.append(line)
        pos += len(line) + 1
    raw = "\n".join(parts) + "\n"
    meta = Metadata(None, "Synthetic", doc_id, None, "en", None, None, raw_format, "test only", "0" * 64, None)
    return Document(doc_id, raw, meta, None, "test", Provenance(("t",), "gold", "1.0"), tuple(spans), (), ())


def _content_lines(doc: Document) -> list[str]:
    inside = {(s.start, s.end) for s in doc.boilerplate}
    out, pos = [], 0
    for line in doc.raw_text.split("\n"):
        if line and (pos, pos + len(line)) not in inside:
            out.append(line)
        pos += len(line) + 1
    return out


def test_lines_and_labels_follow_the_boilerplate_spans():
    raw = "Menu | Home\n  An article line of words.  \n\nPartly boiler text here\n"
    meta = Metadata(None, "P", "t", None, "en", None, None, "text", "test only", "0" * 64, None)
    # "Partly boiler text here": 20 non-space characters, 12 of them ("Partlyboiler") in the span: boilerplate.
    doc = Document("d", raw, meta, None, "train", Provenance(("a",), "gold", "1.0"),
                   (LabelledSpan("b1", 0, 11, "navigation", "Menu | Home"),
                    LabelledSpan("b2", 43, 56, "other", "Partly boiler")), (), ())
    assert learned.lines(raw) == [(0, 11), (14, 39), (43, 66)]
    assert learned.line_labels(doc) == [0, 1, 0]
    assert len(learned.page_features(raw, "text")[0]) == len(learned.FEATURES)


def test_trained_on_synthetic_pages_it_keeps_the_prose_of_unseen_pages():
    extract = learned.train([synthetic(f"train-{i}", i) for i in range(20)])
    for i in range(100, 110):
        doc = synthetic(f"test-{i}", i)
        assert extract(doc).split("\n") == _content_lines(doc), doc.doc_id


def test_training_is_deterministic_and_refuses_its_own_training_pages():
    train = [synthetic(f"train-{i}", i, "markdown" if i % 2 else "text") for i in range(8)]
    unseen = [synthetic(f"test-{i}", i) for i in range(200, 205)]
    first, second = learned.train(train), learned.train(list(train))
    assert [first(d) for d in unseen] == [second(d) for d in unseen]
    with pytest.raises(learned.TrainingPage, match="train-3 is one of the model's training pages"):
        first(train[3])
    renamed = synthetic("copy-of-train-3", 3, "markdown")
    with pytest.raises(learned.TrainingPage):
        first(renamed)                       # same page text under another id: still a training page


def test_training_needs_both_classes():
    doc = synthetic("x", 1)
    only_content = Document(doc.doc_id, doc.raw_text, doc.metadata, None, "train", doc.provenance, (), (), ())
    with pytest.raises(ValueError, match="not both content and boilerplate"):
        learned.train([only_content])


def test_on_the_corpus_trained_on_the_train_split_and_scored_on_the_test_split():
    from newsspan.evaluate import evaluate_texts
    from newsspan.validate import validate_corpus

    documents = validate_corpus(CORPUS).documents
    train = [d for d in documents.values() if d.split == "train"]
    test = [d for d in documents.values() if d.split == "test"]
    system = by_name()["line-classifier"]
    assert system.train is learned.train
    # The registry's default model is trained on exactly the train split: it refuses those pages only.
    for doc in train:
        with pytest.raises(learned.TrainingPage):
            system.extract(doc)
    texts = {d.doc_id: system.extract(d) for d in test}
    for doc in test:
        page_lines = {line.strip() for line in doc.raw_text.split("\n")}
        assert set(texts[doc.doc_id].split("\n")) <= page_lines
    content_f1 = evaluate_texts(texts, test).overall.spans["char/content"]["micro"].f1.value
    assert content_f1 > 0.5
