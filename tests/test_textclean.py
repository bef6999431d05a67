"""The LLM-pipeline text cleaners: datatrove's C4 and FineWeb filters on page text, offline."""
import subprocess
import sys

from newsspan.baselines import by_name, textclean

from conftest import CORPUS, REPO

# Five prose sentences (each one line, ending in a full stop, well over 3 words), then boilerplate
# that C4's line rules remove, each for one named reason.
PROSE = [
    "The regional administration began moving its offices across the river on Monday morning.",
    "Officials who had stayed in the city for months said they did not expect to return soon.",
    "Residents described long queues at the last open pharmacy in the centre of the town.",
    "The staff said that supplies of insulin would run out within a week.",
    "Several of the people who spoke to reporters asked that their names not be used.",
]
MORE_PROSE = [
    "A bus carrying the last group of teachers left the station shortly before noon.",
    "Nobody at the town hall would say when the water supply might be restored.",
    "Farmers on the left bank have not been able to sell their grain since August.",
    "The mayor told a meeting of volunteers that the shelters were already full.",
    "Aid workers expect more families to leave before the first frost of the year.",
]
BOILERPLATE = [
    "Home | World | Sport | Opinion",                      # no terminal punctuation
    "Subscribe now.",                                      # fewer than 3 words
    "Please enable JavaScript to view the comments.",      # mentions javascript
    "By using this site you agree to our privacy policy.",  # a policy phrase
    "Read more...",                                        # ends in an ellipsis
]


def _page(lines):
    return "\n".join(lines)


def test_c4_keeps_the_prose_lines_and_removes_each_kind_of_boilerplate_line():
    page = _page([BOILERPLATE[0], PROSE[0], BOILERPLATE[1], *PROSE[1:3], BOILERPLATE[2], BOILERPLATE[3], *PROSE[3:],
                  BOILERPLATE[4]])
    assert textclean.c4_text(page) == "\n".join(PROSE)


def test_c4_deletes_citation_marks_and_trims_lines():
    page = _page([f"  {PROSE[0][:-1]}[12].", *PROSE[1:]])
    assert textclean.c4_text(page).split("\n")[0] == PROSE[0]


def test_c4_drops_a_page_whole_for_a_curly_bracket_or_too_few_sentences():
    assert textclean.c4_text(_page([*PROSE, "The function f(x) { return x } was shown."])) == ""
    assert textclean.c4_text(_page(PROSE[:4])) == ""          # 4 sentences: under C4's 5
    assert textclean.c4_text("") == ""


def test_fineweb_keeps_lines_without_terminal_punctuation_but_drops_pages_its_document_filters_reject():
    # Long enough for Gopher's 50-word minimum, no line repeated; the line without a full stop stays (FineWeb turned that rule off).
    heading = "A river town waits for the army to arrive"
    page = _page([heading, *PROSE, *MORE_PROSE])
    assert textclean.fineweb_text(page).split("\n")[0] == heading
    assert textclean.c4_text(page).split("\n")[0] == PROSE[0]
    # Five short sentences: enough for C4, but under Gopher's 50 words, so FineWeb's filters drop the page.
    short = _page(["The town is quiet now.", "The army has left it.", "The bridge is closed to cars.",
                   "The shops have no bread.", "The school stays shut."])
    assert textclean.c4_text(short) == short
    assert textclean.fineweb_text(short) == ""


def test_cleaners_on_the_corpus_keep_only_lines_of_the_page():
    from newsspan.validate import validate_corpus

    for doc in validate_corpus(CORPUS).documents.values():
        page_lines = {line.strip() for line in doc.raw_text.split("\n")}
        for name in ("c4", "fineweb"):
            kept = by_name()[name].extract(doc)
            # C4 deletes citation marks inside a line; nothing else is rewritten.
            assert all(line in page_lines or "[" in line or line == "" for line in kept.split("\n")), (name, doc.doc_id)


def test_c4_runs_with_the_network_closed_and_no_model_download():
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n    raise OSError('network used')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from newsspan.baselines import textclean\n"
        f"print(len(textclean.c4_text({_page(PROSE)!r}).split(chr(10))))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(REPO / ".no-home")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "5"
