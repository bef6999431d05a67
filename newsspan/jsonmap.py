"""Where each JSON pointer of a parsed JSON text starts: one linear pass over its tokens.

Only built when a problem must be located. The general-purpose source-map library this replaces
walked the text character by character in Python and grew faster than linearly with the number
of keys of an object (10 s for one object of 100,000 keys); a file from a stranger may hold that.
The text has been parsed already (json.loads accepted it), so the tokens are known to be valid.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right

# A string (escapes and all), a structural character, or any other scalar (number, true, ...).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _key(token: str) -> str:
    return token[1:-1] if "\\" not in token else json.loads(token)


class JsonMap:
    """pointer -> code-point offset of its value, and of its key for object members. A key given
    twice maps to its last occurrence (the one a duplicate-key error names)."""

    def __init__(self, text: str):
        self.values: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # One frame per open container: [is_object, pointer, next index or current member pointer, expecting a key]
        stack: list[list] = []
        for match in _TOKEN.finditer(text):
            token, at = match.group(), match.start()
            first = token[0]
            if first in "}]":
                stack.pop()
                continue
            if first == ":":
                continue
            if first == ",":
                if stack and stack[-1][0]:
                    stack[-1][3] = True
                continue
            top = stack[-1] if stack else None
            if top is not None and top[0] and top[3]:
                top[2] = f"{top[1]}/{_escape(_key(token))}"
                top[3] = False
                self.keys[top[2]] = at
                continue
            if top is None:
                pointer = ""
            elif top[0]:
                pointer = top[2]
            else:
                pointer = f"{top[1]}/{top[2]}"
                top[2] += 1
            self.values[pointer] = at
            if first == "{":
                stack.append([True, pointer, None, True])
            elif first == "[":
                stack.append([False, pointer, 0, False])

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and code-point column of an offset."""
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1
