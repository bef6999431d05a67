"""HTML of a document page and of the index. Every corpus string is escaped: raw pages are untrusted."""
from __future__ import annotations

from collections import Counter
from html import escape
from typing import Callable, Iterable

from ..records import BOILERPLATE_LABELS, ENTITY_LABELS, QUOTE_TYPES, Document, Quote
from .marks import Close, Event, Text, document_marks, layout

# One colour per entity type, chosen to stay readable under dark text.
ENTITY_COLOURS = {
    "PERSON": "#ffd6a5", "NORP": "#caffbf", "ORG": "#9bf6ff", "GPE": "#a0c4ff",
    "LOC": "#bdb2ff", "FAC": "#ffc6ff", "EVENT": "#fdffb6", "PRODUCT": "#e4c1f9",
}

CSS = """
body { font: 16px/1.6 Georgia, serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #111; background: #fff; }
h1 { font-size: 1.5rem; line-height: 1.3; }
table { border-collapse: collapse; font: 14px/1.4 sans-serif; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; font: 14px/1.5 sans-serif; }
dl.facts dt { font-weight: bold; }
.legend { font: 13px/2.2 sans-serif; border: 1px solid #ddd; padding: .5rem; margin: 1rem 0; }
.legend .chip { padding: .1rem .3rem; margin-right: .4rem; white-space: nowrap; }
.raw { white-space: pre-wrap; overflow-wrap: anywhere; border-top: 1px solid #ddd; padding-top: 1rem; }
[data-layer="boilerplate"], .chip.boilerplate { color: #888; text-decoration: line-through; text-decoration-color: #bbb; background: #f3f3f3; }
[data-layer="boilerplate"]:not([data-continued])::before { content: attr(data-label); font: bold 10px/1 sans-serif; color: #fff; background: #888; padding: 1px 3px; margin-right: 3px; border-radius: 2px; display: inline-block; text-decoration: none; vertical-align: middle; }
[data-layer="entity"] { border-radius: 3px; padding: 0 1px; }
[data-layer="entity"]:not([data-continued])::after { content: attr(data-label); font: 9px/1 sans-serif; color: #333; vertical-align: super; margin-left: 1px; }
[data-layer="quote"], .chip.quote { text-decoration: underline 2px #1f4e99; text-underline-offset: 4px; }
[data-layer="quote"][data-label="indirect"], .chip.quote.indirect { text-decoration-style: dashed; }
[data-layer="speaker"], [data-speaker-of], .chip.speaker { outline: 2px solid #b35900; outline-offset: 1px; }
[data-layer="cue"], .chip.cue { font-style: italic; border-bottom: 3px double #b30059; }
"""


def _entity_css() -> str:
    rules = [f'[data-layer="entity"][data-label="{label}"], .chip.entity.{label} {{ background: {colour}; }}'
             for label, colour in ENTITY_COLOURS.items()]
    return "\n".join(rules)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}{_entity_css()}\n</style>\n</head>\n"
            f"<body>\n{body}</body>\n</html>\n")


def _attr(name: str, value: str) -> str:
    return f' {name}="{escape(value, quote=True)}"'


# -- document page -----------------------------------------------------------------------

def document_page(doc: Document, index_href: str) -> str:
    meta = doc.metadata
    body = (f'<nav><a href="{escape(index_href, quote=True)}">All documents</a></nav>\n'
            f"<h1>{escape(meta.title)}</h1>\n{_facts(doc)}{_legend(doc)}"
            f'<div class="raw" data-doc-id="{escape(doc.doc_id, quote=True)}">{annotated_text(doc)}</div>\n'
            f"{_quote_table(doc)}")
    return _page(f"{meta.title} ({doc.doc_id})", body)


def annotated_text(doc: Document) -> str:
    """The raw text with every span as a nested element carrying data-layer/-label/-span-id."""
    return "".join(_event_html(e) for e in layout(doc.raw_text, document_marks(doc)))


def _event_html(event: Event) -> str:
    if isinstance(event, Text):
        return escape(event.text, quote=False)
    if isinstance(event, Close):
        return "</span>"
    mark = event.mark
    attrs = _attr("data-layer", mark.layer) + _attr("data-label", mark.label) + _attr("data-span-id", mark.span_id)
    attrs += "".join(_attr(k, v) for k, v in mark.attrs)
    if event.continued:
        attrs += _attr("data-continued", "true")
    elif mark.layer in ("boilerplate", "entity") or (mark.layer == "quote" and dict(mark.attrs)["data-segment"] == "1"):
        attrs += _attr("id", mark.span_id)  # a target for the quote table's links
    title = f"{mark.layer} {mark.span_id}: {mark.label}"
    return f"<span{attrs}{_attr('title', title)}>"


def _facts(doc: Document) -> str:
    meta, prov = doc.metadata, doc.provenance
    rows = [("document", doc.doc_id), ("publisher", meta.publisher), ("published", meta.published_date or "not stated"),
            ("split", doc.split), ("status", prov.status), ("annotators", ", ".join(prov.annotators)),
            ("guidelines", prov.guidelines_version), ("raw format", meta.raw_format),
            ("source", meta.source_url or "not stated")]
    if meta.translated_from:
        rows.append(("translated", f"from {meta.translated_from} ({meta.translation_method})"))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f'<dl class="facts">{items}</dl>\n'


def _legend(doc: Document) -> str:
    bp = Counter(s.label for s in doc.boilerplate)
    ent = Counter(s.label for s in doc.entities)
    qt = Counter(q.type for q in doc.quotes)
    chips = [_chip(f"entity {label}", f"{label} ({ent[label]})") for label in ENTITY_LABELS]
    chips += [_chip("boilerplate", f"{label} ({bp[label]})") for label in BOILERPLATE_LABELS if bp[label]]
    chips += [_chip(f"quote {t}", f"{t} quote ({qt[t]})") for t in QUOTE_TYPES]
    chips += [_chip("speaker", "speaker"), _chip("cue", "cue")]
    return f'<div class="legend"><strong>Legend</strong> {" ".join(chips)}</div>\n'


def _chip(classes: str, text: str) -> str:
    return f'<span class="chip {escape(classes, quote=True)}">{escape(text)}</span>'


def _quote_table(doc: Document) -> str:
    if not doc.quotes:
        return "<p>No quotes.</p>\n"
    entities = {e.id: e for e in doc.entities}
    rows = []
    for q in sorted(doc.quotes, key=lambda q: (q.content[0].start, q.id)):
        content = " … ".join(s.text for s in q.content)
        rows.append(f'<tr><td><a href="#{escape(q.id, quote=True)}">{escape(q.id)}</a></td><td>{escape(q.type)}</td>'
                    f"<td>{escape(_speaker(q, entities))}</td><td>{escape(q.cue.text if q.cue else '-')}</td>"
                    f"<td>{escape(content)}</td></tr>")
    head = "<tr><th>quote</th><th>type</th><th>speaker</th><th>cue</th><th>content</th></tr>"
    return f'<h2>Quotes</h2>\n<table class="quotes">{head}\n' + "\n".join(rows) + "\n</table>\n"


def _speaker(quote: Quote, entities: dict) -> str:
    if quote.speaker_entity:
        entity = entities[quote.speaker_entity]
        return f"{entity.text} ({entity.label}, {entity.id})"
    return quote.speaker_span.text if quote.speaker_span else "-"


# -- index -------------------------------------------------------------------------------

COUNTED = ("boilerplate", "entities", "quotes")


def index_page(documents: Iterable[Document], href: Callable[[str], str]) -> str:
    docs = list(documents)
    head = ("<tr><th>document</th><th>title</th><th>publisher</th><th>split</th><th>status</th>"
            "<th>boilerplate</th><th>entities</th><th>quotes</th><th>characters</th></tr>")
    rows = [_index_row(d, href(d.doc_id)) for d in docs]
    totals = "".join(f'<td class="n" data-total="{k}">{sum(len(getattr(d, k)) for d in docs)}</td>' for k in COUNTED)
    total_chars = sum(len(d.raw_text) for d in docs)
    rows.append(f'<tr class="total"><th colspan="5">{len(docs)} documents</th>{totals}<td class="n">{total_chars}</td></tr>')
    body = (f"<h1>NewsSpan: annotated documents</h1>\n<table class=\"index\">{head}\n" + "\n".join(rows) + "\n</table>\n")
    return _page("NewsSpan documents", body)


def _index_row(doc: Document, href: str) -> str:
    counts = "".join(f'<td class="n" data-count="{k}">{len(getattr(doc, k))}</td>' for k in COUNTED)
    return (f'<tr data-doc-id="{escape(doc.doc_id, quote=True)}"><td><a href="{escape(href, quote=True)}">{escape(doc.doc_id)}</a></td>'
            f"<td>{escape(doc.metadata.title)}</td><td>{escape(doc.metadata.publisher)}</td>"
            f'<td data-split="{doc.split}">{doc.split}</td><td data-status="{doc.provenance.status}">{doc.provenance.status}</td>'
            f'{counts}<td class="n">{len(doc.raw_text)}</td></tr>')
