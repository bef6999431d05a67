"""A deterministic synthetic NewsSpan corpus, for the scale benchmark and the scale tests.

    python3 benchmarks/synth.py OUT --docs 10000 [--seed 1] [--jobs 2]

writes OUT/raw/ and OUT/annotations/ (canonical layout, via newsspan.fmt) that validate clean.
What makes it realistic enough to measure with:
- raw texts of 1-30 KB (log-uniform, so most pages are small and a few are long), with
  non-ASCII letters, typographic quotes and dashes, and the odd emoji outside the BMP;
- 10-300 spans per document over the three layers: boilerplate blocks (one span per block,
  same-label neighbours merged as rule B3 wants), entity mentions in content and boilerplate,
  direct, indirect and interrupted quotes with entity or description speakers;
- several publishers, plain text and markdown, each with its own boilerplate;
- planted near-duplicates: some articles are captured twice (by two publishers, with edits), in
  one declared near-duplicate group and one split.

Every random choice comes from a `random.Random` seeded by (seed, article number), so an article
is the same whatever the corpus size or the number of worker processes: the 1k corpus is the
first articles of the 10k one.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.append(str(Path(__file__).resolve().parents[1]))  # the repository, unless newsspan is found first
from newsspan.fmt import format_annotation  # noqa: E402

PAIR_RATE = 0.03          # share of articles captured twice (a planted near-duplicate pair)
MIN_BYTES, MAX_BYTES = 1_000, 30_000
MIN_SPANS, MAX_SPANS = 10, 300
SPLIT_WEIGHTS = (("train", 8), ("validation", 1), ("test", 1))


@dataclass(frozen=True, slots=True)
class Publisher:
    slug: str
    name: str
    domain: str
    raw_format: str  # "text" or "markdown"


PUBLISHERS = (
    Publisher("kyivpost", "Kyiv Post", "kyivpost.example", "text"),
    Publisher("meduza", "Meduza", "meduza.example", "markdown"),
    Publisher("elpais", "El País", "elpais.example", "text"),
    Publisher("lemonde", "Le Monde", "lemonde.example", "markdown"),
    Publisher("spiegel", "Der Spiegel", "spiegel.example", "text"),
    Publisher("gazeta", "Gazeta Wyborcza", "wyborcza.example", "text"),
)

# -- vocabulary: fixed, built once from a fixed seed -------------------------------------------

_SYLLABLES = ("ka", "ri", "to", "men", "sa", "lo", "ver", "di", "na", "pre", "col", "tu", "bra", "chi", "es",
              "ol", "un", "dor", "ha", "ne", "mi", "ste", "gor", "ly", "qua", "vi", "zé", "ør", "çu", "ñe",
              "ła", "ür", "ás", "ii")


def _words(rng: random.Random, count: int, low: int, high: int) -> tuple[str, ...]:
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(low, high)))] = None
    return tuple(found)


_VOCAB_RNG = random.Random(20221111)
WORDS = _words(_VOCAB_RNG, 6000, 1, 4)
_NAMES = _words(_VOCAB_RNG, 800, 2, 3)
FIRST = tuple(n.capitalize() for n in _NAMES[:300])
LAST = tuple(n.capitalize() for n in _NAMES[300:])
ENTITY_POOLS = {
    "GPE": ("Kyiv", "Kherson", "Mykolaiv", "Łódź", "São Paulo", "München", "Zürich", "Київ", "Odesa", "Kraków"),
    "NORP": ("Ukrainian", "Russian", "Polish", "Brazilian", "Swiss", "Québécois"),
    "ORG": ("Naftogaz", "Ukrenergo", "Agência Lusa", "the Verkhovna Rada", "Deutsche Welle", "Médecins Sans Frontières"),
    "LOC": ("the Dnipro River", "the Black Sea", "Crimea", "the Carpathians"),
    "FAC": ("the Antonivskyi Bridge", "Boryspil Airport", "the Nova Kakhovka dam"),
    "EVENT": ("the Kherson counteroffensive", "Euromaidan"),
    "PRODUCT": ("HIMARS", "Bayraktar TB2", "Starlink"),
}
ENTITY_WEIGHTS = (("PERSON", 5), ("GPE", 5), ("NORP", 4), ("ORG", 3), ("LOC", 1), ("FAC", 1), ("EVENT", 1), ("PRODUCT", 1))
CUES = ("said", "told reporters", "added", "warned", "wrote on Telegram", "insisted")
DESCRIPTIONS = ("a spokesperson for the regional administration", "local officials", "a senior commander",
                "residents of the city", "an adviser to the mayor")


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


# -- the article model: content shared by every capture of one article ------------------------
# A sentence is a list of items: ("w", word) | ("e", text, label) | ("q", kind, [segments], speaker, cue)
# where a segment is a list of ("w"/"e") items, speaker is ("e", text, label) | ("d", text) | None.

def _entity(rng: random.Random, label: str | None = None) -> tuple:
    label = label or _weighted(rng, ENTITY_WEIGHTS)
    if label == "PERSON":
        return ("e", f"{rng.choice(FIRST)} {rng.choice(LAST)}", "PERSON")
    return ("e", rng.choice(ENTITY_POOLS[label]), label)


def _phrase(rng: random.Random, length: int, entity_rate: float) -> list[tuple]:
    items = []
    for _ in range(length):
        if rng.random() < entity_rate:
            items.append(_entity(rng))
        elif rng.random() < 0.03:
            items.append(("w", f"{rng.randint(2, 980)}{rng.choice(('', '%', ' km', ' €', '°C'))}"))
        else:
            items.append(("w", rng.choice(WORDS)))
    return items


def _quote(rng: random.Random) -> tuple:
    kind = rng.choice(("direct", "direct", "indirect"))
    segments = [_phrase(rng, rng.randint(6, 18), 0.05)]
    if kind == "direct" and rng.random() < 0.2:
        segments.append(_phrase(rng, rng.randint(4, 12), 0.05))
    roll = rng.random()
    speaker = _entity(rng, rng.choice(("PERSON", "PERSON", "ORG"))) if roll < 0.7 else \
        ("d", rng.choice(DESCRIPTIONS)) if roll < 0.95 else None
    return ("q", kind, segments, speaker, rng.choice(CUES))


def _sentence(rng: random.Random) -> list[tuple]:
    if rng.random() < 0.12:
        return [_quote(rng)]
    return _phrase(rng, rng.randint(8, 24), 0.09)


@dataclass(frozen=True, slots=True)
class Article:
    number: int
    headline: list[tuple]
    paragraphs: list[list[list[tuple]]]
    split: str
    date: str
    target_chars: int


def _article(seed: int, number: int) -> Article:
    rng = _article_rng(seed, number)
    rng.random()  # the pair decision, drawn first so that the plan needs no other draw
    target = int(MIN_BYTES * (MAX_BYTES / MIN_BYTES) ** rng.random() * 0.97)
    split = _weighted(rng, SPLIT_WEIGHTS)
    date = f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    headline = _phrase(rng, rng.randint(6, 12), 0.15)
    paragraphs, size = [], 0
    while size < target * 0.8:
        paragraph = [_sentence(rng) for _ in range(rng.randint(1, 5))]
        size += sum(_item_chars(i) for s in paragraph for i in s) + 2
        paragraphs.append(paragraph)
    return Article(number, headline, paragraphs, split, date, target)


def _item_chars(item: tuple) -> int:
    if item[0] == "q":
        return sum(_item_chars(i) + 1 for seg in item[2] for i in seg) + 30
    return len(item[1]) + 1


def _article_rng(seed: int, number: int) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`: stable across runs and Python versions.
    return random.Random(f"newsspan-synth:{seed}:{number}")


# -- rendering one capture of an article onto a page -----------------------------------------

class _Page:
    """Text being written, with the spans that point into it (offsets in code points)."""

    def __init__(self, span_budget: int):
        self.parts: list[str] = []
        self.pos = 0
        self.budget = span_budget
        self.boilerplate: list[dict] = []
        self.entities: list[dict] = []
        self.quotes: list[dict] = []

    def add(self, text: str) -> tuple[int, int]:
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def spans(self) -> int:
        return len(self.boilerplate) + len(self.entities) + len(self.quotes)

    def entity(self, text: str, label: str, force: bool = False) -> str | None:
        """Write a mention; past the span budget it is written as plain text (unless a speaker)."""
        start, end = self.add(text)
        if self.spans() >= self.budget and not force:
            return None
        ident = f"e{len(self.entities) + 1}"
        self.entities.append({"id": ident, "start": start, "end": end, "label": label, "text": text})
        return ident

    def text(self) -> str:
        return "".join(self.parts)


def _render_items(page: _Page, items: list[tuple], capitalise: bool = False) -> None:
    for n, item in enumerate(items):
        if n:
            page.add(" ")
        if item[0] == "e":
            page.entity(item[1], item[2])
        else:
            page.add(item[1].capitalize() if capitalise and n == 0 else item[1])


def _span(page: _Page, start: int, end: int) -> dict:
    return {"start": start, "end": end, "text": page.text()[start:end]}


def _render_quote(page: _Page, quote: tuple, rng: random.Random) -> None:
    _, kind, segments, speaker, cue = quote
    if page.spans() + 3 >= page.budget:
        _render_items(page, [i for seg in segments for i in seg], capitalise=True)
        page.add(".")
        return
    content, who, cue_at = [], None, None
    if kind == "indirect":
        who = _render_speaker(page, speaker, capitalised=True)
        page.add(" ")
        cue_at = page.add(cue)
        page.add(" that ")
        content.append(_segment(page, segments[0]))
        page.add(".")
    else:
        page.add("“")
        content.append(_segment(page, segments[0], capitalise=True))
        page.add(",” ")
        who = _render_speaker(page, speaker)
        page.add(" ")
        cue_at = page.add(cue)
        if len(segments) > 1:
            page.add(", “")
            content.append(_segment(page, segments[1]))
            page.add(".”")
        else:
            page.add(".")
    page.quotes.append({
        "id": f"q{len(page.quotes) + 1}", "type": kind, "content": [_span(page, *c) for c in content],
        "speaker": who, "cue": _span(page, *cue_at) if speaker is not None or rng.random() < 0.5 else None,
    })


def _segment(page: _Page, items: list[tuple], capitalise: bool = False) -> tuple[int, int]:
    start = page.pos
    _render_items(page, items, capitalise)
    return start, page.pos


def _render_speaker(page: _Page, speaker: tuple | None, capitalised: bool = False) -> dict | None:
    if speaker is None:
        page.add("Someone" if capitalised else "someone")
        return None
    if speaker[0] == "e":
        return {"entity": page.entity(speaker[1], speaker[2], force=True)}
    text = speaker[1][0].upper() + speaker[1][1:] if capitalised else speaker[1]
    start, end = page.add(text)
    return {"span": _span(page, start, end)}


def _render_paragraph(page: _Page, paragraph: list[list[tuple]], rng: random.Random) -> None:
    for n, sentence in enumerate(paragraph):
        if n:
            page.add(" ")
        if sentence[0][0] == "q":
            _render_quote(page, sentence[0], rng)
        else:
            _render_items(page, sentence, capitalise=True)
            page.add(".")


# -- boilerplate: per publisher, a few shapes of block ----------------------------------------

def _boilerplate_lines(label: str, pub: Publisher, rng: random.Random) -> list[list[tuple]]:
    """The lines of one boilerplate block, as items (entities allowed)."""
    word = lambda: ("w", rng.choice(WORDS))  # noqa: E731
    if label == "navigation":
        return [[("w", f"{pub.name} › {rng.choice(('World', 'Europe', 'Politics', 'Economy'))} › {rng.choice(('Ukraine', 'War', 'Energy'))}")]]
    if label == "appeal":
        return [[("w", rng.choice(("Support independent journalism — donate from 5 €.", "Subscribe to our newsletter 📨",
                                   "Become a member: read without limits.")))]]
    if label == "metadata":
        return [[("w", "By"), _entity(rng, "PERSON"), ("w", f"· {rng.randint(1, 28)}.{rng.randint(1, 12):02d}.2022, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")]]
    if label == "credit":
        return [[("w", "Photo:"), _entity(rng, "PERSON"), ("w", "/"), _entity(rng, "ORG")]]
    if label == "caption":
        return [[word() for _ in range(rng.randint(5, 12))] + [_entity(rng, "GPE")]]
    if label == "related":
        return [[("w", "Related:")]] + [[("w", "–")] + [word() for _ in range(rng.randint(4, 9))] for _ in range(rng.randint(1, 4))]
    if label == "comments":
        return [[("w", f"💬 {rng.randint(0, 400)} comments — join the discussion")]]
    return [[("w", f"![{rng.choice(WORDS)}](https://{pub.domain}/img/{rng.randint(1000, 9999)}.jpg)")]]  # markup


def _render_boilerplate(page: _Page, lines: list[list[tuple]], label: str) -> None:
    start = page.pos
    for n, line in enumerate(lines):
        if n:
            page.add("\n")
        _render_items(page, line)
    page.boilerplate.append({"id": f"b{len(page.boilerplate) + 1}", "start": start, "end": page.pos, "label": label,
                             "text": page.text()[start:page.pos]})


MIDDLE_LABELS = ("caption", "credit", "appeal", "related")


def _blocks(article: Article, pub: Publisher, rng: random.Random, edit: float) -> Iterator[tuple[str, object]]:
    """The page as a sequence of ("content", paragraph) / (label, lines) blocks."""
    yield "navigation", _boilerplate_lines("navigation", pub, rng)
    if pub.raw_format == "markdown":
        yield "markup", _boilerplate_lines("markup", pub, rng)
    yield "headline", article.headline
    yield "metadata", _boilerplate_lines("metadata", pub, rng)
    previous = "metadata"
    for paragraph in article.paragraphs:
        if edit and rng.random() < edit:
            continue  # a later capture lost or rewrote this paragraph
        if edit and rng.random() < edit:
            paragraph = [_phrase(rng, rng.randint(8, 20), 0.05)] + paragraph[1:]
        yield "content", paragraph
        previous = "content"
        if rng.random() < 0.12:
            label = rng.choice([l for l in MIDDLE_LABELS if l != previous])
            yield label, _boilerplate_lines(label, pub, rng)
            previous = label
    for label in ("related", "comments"):
        if label != previous:
            yield label, _boilerplate_lines(label, pub, rng)
            previous = label


def _render(article: Article, pub: Publisher, rng: random.Random, edit: float, cut: int = 0) -> _Page:
    budget = max(MIN_SPANS, min(MAX_SPANS, article.target_chars // 95)) - cut
    page = _Page(budget)
    for n, (kind, body) in enumerate(_blocks(article, pub, rng, edit)):
        if n:
            page.add("\n\n" if rng.random() < 0.8 else "\n")
        if kind == "headline":
            if pub.raw_format == "markdown":
                page.add("# ")
            _render_items(page, body, capitalise=True)
        elif kind == "content":
            _render_paragraph(page, body, rng)
        else:
            _render_boilerplate(page, body, kind)
    page.add("\n")
    return page


# -- documents ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Planned:
    """One article of the plan: its number and the ids of its documents (two for a pair)."""
    number: int
    doc_ids: tuple[str, ...]


def _publisher(seed: int, number: int, capture: int) -> Publisher:
    return PUBLISHERS[(hashlib.sha256(f"{seed}:{number}:{capture}".encode()).digest()[0]) % len(PUBLISHERS)]


def plan(n_docs: int, seed: int, pair_rate: float = PAIR_RATE) -> list[Planned]:
    """Which articles make up an `n_docs` corpus, and which are captured twice."""
    found, count, number = [], 0, 0
    while count < n_docs:
        pair = _article_rng(seed, number).random() < pair_rate and count + 2 <= n_docs
        first = _publisher(seed, number, 1)
        if pair:
            second = _publisher(seed, number, 2)
            ids = (f"{first.slug}-a{number:06d}-c1", f"{second.slug}-a{number:06d}-c2")
        else:
            ids = (f"{first.slug}-a{number:06d}",)
        found.append(Planned(number, ids))
        count += len(ids)
        number += 1
    return found


def planted_pairs(n_docs: int, seed: int, pair_rate: float = PAIR_RATE) -> list[tuple[str, str]]:
    return [p.doc_ids for p in plan(n_docs, seed, pair_rate) if len(p.doc_ids) == 2]


def _annotation(doc_id: str, article: Article, pub: Publisher, page: _Page, group: str | None, raw: bytes) -> dict:
    title = "".join(i[1] + " " for i in article.headline).strip().capitalize()
    return {
        "schema_version": "1.0",
        "doc_id": doc_id,
        "metadata": {
            "source_url": f"https://{pub.domain}/{article.date.replace('-', '/')}/a{article.number:06d}",
            "publisher": pub.name,
            "title": title,
            "published_date": article.date,
            "language": "en",
            "translation": None if pub.slug in ("kyivpost", "gazeta") else {"source_language": "uk", "method": "machine"},
            "raw_format": pub.raw_format,
            "rights": f"Synthetic text in the style of {pub.name}; generated for benchmarks, no rights reserved.",
            "raw_sha256": hashlib.sha256(raw).hexdigest(),
        },
        "near_duplicate_group": group,
        "split": article.split,
        "provenance": {"annotators": ["synth"], "status": "draft", "guidelines_version": "1.0"},
        "boilerplate": page.boilerplate,
        "entities": page.entities,
        "quotes": page.quotes,
    }


def documents(seed: int, planned: Planned) -> Iterator[tuple[str, str, bytes, str]]:
    """(doc_id, raw file suffix, raw bytes, annotation text) of every document of one article."""
    article = _article(seed, planned.number)
    group = f"a{planned.number:06d}" if len(planned.doc_ids) == 2 else None
    for capture, doc_id in enumerate(planned.doc_ids, start=1):
        pub = _publisher(seed, planned.number, capture)
        page = _capture(seed, planned.number, capture, article, pub)
        raw = page.text().encode("utf-8")
        annotation = format_annotation(_annotation(doc_id, article, pub, page, group, raw))
        yield doc_id, ".md" if pub.raw_format == "markdown" else ".txt", raw, annotation


def _capture(seed: int, number: int, capture: int, article: Article, pub: Publisher) -> _Page:
    """One capture's page, with MIN_SPANS to MAX_SPANS spans."""
    def render(cut: int) -> _Page:
        rng = random.Random(f"newsspan-synth:{seed}:{number}:capture{capture}")
        edit = 0.0 if capture == 1 else rng.uniform(0.05, 0.45)
        return _render(article, pub, rng, edit, cut)
    page, cut = render(0), 0
    while page.spans() > MAX_SPANS:
        # Boilerplate blocks and speakers are written past the budget: the same page again, with
        # as many fewer mentions annotated as it had spans too many.
        cut += page.spans() - MAX_SPANS
        page = render(cut)
    if page.spans() < MIN_SPANS:
        _tags(page, random.Random(f"newsspan-synth:{seed}:{number}:tags{capture}"))
    return page


def _tags(page: _Page, rng: random.Random) -> None:
    """A line of topic tags at the end of a page short of spans: navigation, one mention per tag."""
    page.parts[-1] = page.parts[-1].rstrip("\n")  # the page's final newline comes after the tags
    page.pos -= 1
    page.add("\n\n")
    start = page.pos
    page.add("Tags:")
    while page.spans() < MIN_SPANS - 1:
        page.add(" · " if page.pos > start + 5 else " ")
        page.entity(rng.choice(ENTITY_POOLS["GPE"]), "GPE", force=True)
    page.boilerplate.append({"id": f"b{len(page.boilerplate) + 1}", "start": start, "end": page.pos,
                             "label": "navigation", "text": page.text()[start:page.pos]})
    page.add("\n")


def _write_articles(root: str, seed: int, planned: list[Planned]) -> int:
    base = Path(root)
    written = 0
    for item in planned:
        for doc_id, suffix, raw, annotation in documents(seed, item):
            (base / "raw" / f"{doc_id}{suffix}").write_bytes(raw)
            (base / "annotations" / f"{doc_id}.json").write_text(annotation, encoding="utf-8")
            written += 1
    return written


def generate(root: Path, n_docs: int, seed: int = 1, jobs: int = 1, pair_rate: float = PAIR_RATE) -> int:
    """Write an `n_docs` corpus below `root` (which must not hold another corpus); return the count."""
    for folder in ("raw", "annotations"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    planned = plan(n_docs, seed, pair_rate)
    if jobs <= 1:
        return _write_articles(str(root), seed, planned)
    chunks = [planned[i:i + 200] for i in range(0, len(planned), 200)]
    with ProcessPoolExecutor(jobs) as pool:
        return sum(pool.map(_write_articles, [str(root)] * len(chunks), [seed] * len(chunks), chunks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic NewsSpan corpus.")
    parser.add_argument("out", type=Path, help="corpus folder to create (raw/ and annotations/ inside)")
    parser.add_argument("--docs", type=int, default=1000, help="number of documents (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (the output does not depend on it)")
    args = parser.parse_args(argv)
    if any((args.out / d).exists() and any((args.out / d).iterdir()) for d in ("raw", "annotations")):
        print(f"synth: {args.out} already holds a corpus; choose an empty folder", file=sys.stderr)
        return 2
    count = generate(args.out, args.docs, args.seed, args.jobs)
    print(f"synth: wrote {count} documents to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
