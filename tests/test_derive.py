"""Tokens of the `ner` config: the documented rule, checked against a plain reading of it."""
import random
import re

from newsspan.derive import tokens

RULE = re.compile(r"\w+|[^\w\s]")


def _by_pieces(text: str, cuts: list[int]) -> list[tuple[str, int, int]]:
    """The card's wording taken literally: tokenise each piece of the text between cuts."""
    edges = [0, *cuts, len(text)]
    return [(m.group(), m.start(), m.end()) for a, b in zip(edges, edges[1:]) for m in RULE.finditer(text, a, b)]


def _flat(found: tuple[list[str], list[int], list[int]]) -> list[tuple[str, int, int]]:
    return list(zip(*found))


def test_a_cut_inside_a_glued_word_splits_it():
    assert _flat(tokens("Santorareported in Kyiv.", [7])) == [
        ("Santora", 0, 7), ("reported", 7, 15), ("in", 16, 18), ("Kyiv", 19, 23), (".", 23, 24)]


def test_two_cuts_in_one_word_and_cuts_between_tokens():
    assert _flat(tokens("abcdef gh", [2, 4, 6, 7])) == [("ab", 0, 2), ("cd", 2, 4), ("ef", 4, 6), ("gh", 7, 9)]


def test_no_tokens_and_non_ascii():
    assert _flat(tokens("  \n ", [])) == []
    assert _flat(tokens("Херсон—city 😀!", [3])) == [
        ("Хер", 0, 3), ("сон", 3, 6), ("—", 6, 7), ("city", 7, 11), ("😀", 12, 13), ("!", 13, 14)]


def test_random_texts_match_the_literal_rule():
    rng = random.Random(7)
    alphabet = "ab é_1-.,\n\t😀 "
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        cuts = sorted(set(rng.randrange(0, len(text) + 1) for _ in range(rng.randrange(0, 6))))
        assert _flat(tokens(text, cuts)) == _by_pieces(text, cuts), (text, cuts)
