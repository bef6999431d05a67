"""The reason of a JSON syntax error as a whole sentence."""
from __future__ import annotations

import json


def json_error_reason(err: json.JSONDecodeError) -> str:
    """`err.msg` alone may end in mid-sentence ("Unterminated string starting at"): complete it
    with the position it refers to."""
    if err.msg.endswith(" at"):
        return f"{err.msg} line {err.lineno}, column {err.colno}"
    return err.msg
