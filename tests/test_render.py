"""Static HTML pages: spans of all layers as nested elements, escaped text, and a real browser's view."""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CORPUS
from newsspan.cli import main
from newsspan.records import Document
from newsspan.render.page import annotated_text

DOC = "moscowtimes-2022-11-03-kherson-flag-capture2"  # markdown with '<', every layer, nesting
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"  # as .ci/run does


# -- a DOM reader for the tests ----------------------------------------------------------------

class Spans(HTMLParser):
    """Collects every element with data-layer (its attributes and its text) and the raw text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[dict | None] = []
        self.elements: list[dict] = []
        self.raw: list[str] = []
        self.in_raw = 0
        self.tags: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        attrs = dict(attrs)
        if tag in ("br", "meta", "img", "input", "link"):
            return
        if attrs.get("class") == "raw":
            self.in_raw = len(self.open) + 1
        element = dict(attrs, text="") if "data-layer" in attrs else None
        if element is not None:
            self.elements.append(element)
        self.open.append(element)

    def handle_endtag(self, tag):
        if tag in ("br", "meta", "img", "input", "link"):
            return
        if self.in_raw == len(self.open):
            self.in_raw = 0
        self.open.pop()

    def handle_data(self, data):
        if self.in_raw:
            self.raw.append(data)
        for element in self.open:
            if element is not None:
                element["text"] += data


def parse(html: str) -> Spans:
    spans = Spans()
    spans.feed(html)
    return spans


def first_pieces(spans: Spans, layer: str) -> list[dict]:
    return [e for e in spans.elements if e["data-layer"] == layer and "data-continued" not in e]


# -- chromium --------------------------------------------------------------------------------

def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    # Skipped with the install command where chromium is absent; never in CI (.ci/run installs it,
    # and a run with CI set must not pass by skipping what it is there to check).
    why = ("chromium is not installed: the rendered pages are checked in a real browser. "
           f"Install it with `{CHROMIUM_INSTALL}`")
    if os.environ.get("CI"):
        pytest.fail(why + " (CI is set: these tests must run here, not skip)")
    pytest.skip(why)


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of an 8-bit RGB or RGBA PNG (the kind chromium writes), unfiltered."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r[i:i + 3]) for r in rows for i in range(0, len(r), bpp)]


# -- helpers -----------------------------------------------------------------------------------

def render(out: Path, *doc_ids: str, corpus: Path = CORPUS) -> int:
    return main(["render", *doc_ids, "--out", str(out), "--corpus", str(corpus)])


def annotation(doc_id: str, root: Path = CORPUS) -> dict:
    return json.loads((root / "annotations" / f"{doc_id}.json").read_text(encoding="utf-8"))


def raw_text(doc_id: str, root: Path = CORPUS) -> str:
    [path] = (root / "raw").glob(f"{doc_id}.*")
    return path.read_bytes().decode("utf-8")


def expected_counts(ann: dict) -> dict[str, int]:
    quotes = ann["quotes"]
    return {
        "boilerplate": len(ann["boilerplate"]),
        "entity": len(ann["entities"]),
        "quote": sum(len(q["content"]) for q in quotes),
        # Quotes sharing one speaker description or one cue share its element.
        "speaker": len({(q["speaker"]["span"]["start"], q["speaker"]["span"]["end"]) for q in quotes
                        if q["speaker"] and "span" in q["speaker"]}),
        "cue": len({(q["cue"]["start"], q["cue"]["end"]) for q in quotes if q["cue"]}),
    }


# -- in a browser --------------------------------------------------------------------------------

def test_browser_dom_has_one_element_per_span(tmp_path):
    assert render(tmp_path / "site", DOC) == 0
    page = tmp_path / "site" / f"{DOC}.html"
    dom = run_chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    spans = parse(dom)
    ann, raw = annotation(DOC), raw_text(DOC)
    counts = {layer: len(first_pieces(spans, layer)) for layer in ("boilerplate", "entity", "quote", "speaker", "cue")}
    assert counts == expected_counts(ann)
    assert len({e["data-span-id"] for e in first_pieces(spans, "quote")}) == len(ann["quotes"])
    # The browser shows the raw text whole and unchanged, '<' and all.
    assert "".join(spans.raw) == raw and "<" in raw
    by_id = {(e["data-layer"], e["data-span-id"]): e for e in spans.elements if "data-continued" not in e}
    for span in ann["entities"]:
        element = by_id[("entity", span["id"])]
        assert (element["text"], element["data-label"]) == (span["text"], span["label"])
    for span in ann["boilerplate"]:
        assert by_id[("boilerplate", span["id"])]["text"] == span["text"]
    for quote in ann["quotes"]:
        assert by_id[("quote", quote["id"])]["text"] == quote["content"][0]["text"]
        assert by_id[("quote", quote["id"])]["data-label"] == quote["type"]


def test_nesting_in_the_browser_follows_the_offsets(tmp_path):
    # Entities inside boilerplate and inside quotes are descendants of those elements.
    assert render(tmp_path / "site", DOC) == 0
    dom = run_chromium(tmp_path / "profile", "--dump-dom", (tmp_path / "site" / f"{DOC}.html").as_uri()).stdout
    ann = annotation(DOC)
    inside_bp = sum(1 for e in ann["entities"] for b in ann["boilerplate"] if b["start"] <= e["start"] and e["end"] <= b["end"])
    inside_quote = sum(1 for e in ann["entities"] for q in ann["quotes"] for s in q["content"]
                       if s["start"] <= e["start"] and e["end"] <= s["end"])
    assert inside_bp > 0 and inside_quote > 0
    nested = NestingCounter()
    nested.feed(dom)
    assert (nested.entity_in["boilerplate"], nested.entity_in["quote"]) == (inside_bp, inside_quote)


class NestingCounter(HTMLParser):
    """Counts entity elements by the layers of their open ancestors."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.entity_in: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "br"):
            return
        layer = dict(attrs).get("data-layer", "")
        if layer == "entity":
            for ancestor in set(self.stack) & {"boilerplate", "quote"}:
                self.entity_in[ancestor] += 1
        self.stack.append(layer)

    def handle_endtag(self, tag):
        if tag not in ("meta", "br"):
            self.stack.pop()


def test_screenshot_is_not_blank(tmp_path):
    assert render(tmp_path / "site", DOC) == 0
    shot = tmp_path / "page.png"
    run_chromium(tmp_path / "profile", "--window-size=1000,1400", f"--screenshot={shot}",
                 (tmp_path / "site" / f"{DOC}.html").as_uri())
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1000, 1400)
    colours = Counter(pixels)
    white = colours[b"\xff\xff\xff"]
    # Text and coloured spans: many colours, and a fair share of the page is not white.
    assert len(colours) > 50 and white < 0.95 * len(pixels)


def test_script_in_raw_text_is_shown_not_run(tmp_path):
    raw = 'Breaking: <script>document.title = "pwned"</script> <img src=x onerror="alert(1)"> Kyiv & Kherson\n'
    root = tmp_path / "corpus"
    (root / "raw").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "raw" / "hostile-page.txt").write_text(raw, encoding="utf-8", newline="")
    start = raw.index("Kyiv")
    doc = {"schema_version": "1.0", "doc_id": "hostile-page",
           "metadata": {"source_url": None, "publisher": "<b>Press</b>", "title": "</title><script>x()</script>",
                        "published_date": None, "language": "en", "translation": None, "raw_format": "text",
                        "rights": "CC0 test", "raw_sha256": hashlib.sha256(raw.encode()).hexdigest()},
           "near_duplicate_group": None, "split": "train",
           "provenance": {"annotators": ["fixture"], "status": "draft", "guidelines_version": "1.0"},
           "boilerplate": [{"id": "b1", "start": 10, "end": 51, "label": "markup", "text": raw[10:51]}],
           "entities": [{"id": "e1", "start": start, "end": start + 4, "label": "GPE", "text": "Kyiv"}], "quotes": []}
    (root / "annotations" / "hostile-page.json").write_text(json.dumps(doc), encoding="utf-8")
    assert render(tmp_path / "site", corpus=root) == 0
    html = (tmp_path / "site" / "hostile-page.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    dom = run_chromium(tmp_path / "profile", "--dump-dom", (tmp_path / "site" / "hostile-page.html").as_uri()).stdout
    spans = parse(dom)
    assert spans.tags["script"] == 0 and spans.tags["img"] == 0
    assert "".join(spans.raw) == raw
    assert [e["text"] for e in spans.elements] == [raw[10:51], "Kyiv"]
    assert "<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; (hostile-page)</title>" in dom


# -- without a browser ---------------------------------------------------------------------------

def test_crossing_spans_are_cut_into_marked_pieces():
    # Layers may cross (a quote that runs out of a caption): both must still cover their text.
    raw = "Caption: he said it would hold. And then it did."
    doc = Document.from_json({
        "doc_id": "crossing", "split": "train", "near_duplicate_group": None,
        "metadata": {"source_url": None, "publisher": "P", "title": "T", "published_date": None, "language": "en",
                     "translation": None, "raw_format": "text", "rights": "r", "raw_sha256": "0" * 64},
        "provenance": {"annotators": ["a"], "status": "draft", "guidelines_version": "1.0"},
        "boilerplate": [{"id": "b1", "start": 0, "end": 31, "label": "caption", "text": raw[0:31]}],
        "entities": [{"id": "e1", "start": 21, "end": 26, "label": "FAC", "text": raw[21:26]}],
        "quotes": [{"id": "q1", "type": "indirect", "content": [{"start": 17, "end": 47, "text": raw[17:47]}],
                    "speaker": {"span": {"start": 9, "end": 11, "text": "he"}}, "cue": {"start": 12, "end": 16, "text": "said"}}],
    }, raw)
    spans = parse(f'<div class="raw">{annotated_text(doc)}</div>')
    assert "".join(spans.raw) == raw
    pieces = [(e["data-layer"], e["text"], "data-continued" in e) for e in spans.elements]
    # The quote starts inside the caption and goes on after it: two pieces, the second marked.
    assert pieces == [("boilerplate", raw[0:31], False), ("speaker", "he", False), ("cue", "said", False),
                      ("quote", raw[17:31], False), ("entity", raw[21:26], False), ("quote", raw[31:47], True)]


def test_index_lists_counts_status_and_split(tmp_path):
    assert render(tmp_path / "site") == 0
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for path in sorted((CORPUS / "annotations").glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        row = html.split(f'<tr data-doc-id="{ann["doc_id"]}">', 1)[1].split("</tr>", 1)[0]
        for layer in ("boilerplate", "entities", "quotes"):
            assert f'data-count="{layer}">{len(ann[layer])}<' in row
        assert f'data-split="{ann["split"]}"' in row and f'data-status="{ann["provenance"]["status"]}"' in row
        assert (tmp_path / "site" / f"{ann['doc_id']}.html").is_file()


def test_rendering_is_deterministic(tmp_path):
    assert render(tmp_path / "a") == 0 and render(tmp_path / "b") == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    docs = sorted(p.stem for p in (CORPUS / "annotations").glob("*.json"))
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert sorted(first) == sorted(["index.html"] + [f"{d}.html" for d in docs])


def test_invalid_document_is_not_rendered(tmp_path, corpus_copy, capsys):
    bad = corpus_copy / "annotations" / f"{DOC}.json"
    bad.write_text(bad.read_text(encoding="utf-8").replace('"label": "PERSON"', '"label": "person"', 1), encoding="utf-8")
    assert render(tmp_path / "site", corpus=corpus_copy) == 1
    err = capsys.readouterr().err
    assert "NS204" in err and f"skipped 1 document with errors ({DOC})" in err
    assert not (tmp_path / "site" / f"{DOC}.html").exists()
    assert (tmp_path / "site" / "nytimes-kherson-officials-flee.html").exists()


def test_without_chromium_the_browser_tests_skip_with_the_install_command_but_fail_in_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium chromium-driver"):
        chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        chromium()


def test_ci_installs_the_browser_these_tests_need():
    from conftest import REPO
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install -y -q chromium chromium-driver" in script or "apt-get install -y chromium chromium-driver" in script
