"""How deep a JSON text nests, measured without parsing it, and the one limit cwflow allows.

No form, task, worker record or request of cwflow nests beyond a handful of levels; the limit keeps
every recursive step after it (parsing, validation, rendering, storing) far from Python's recursion
limit. The web input guard applies it to every request body, and the engine to JSON that arrives
as text inside a field (a form schema typed in the editor).
"""

import re
from itertools import accumulate

MAX_JSON_DEPTH = 32
_BRACKET_DEPTH = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, without parsing it (brackets
    inside strings are skipped); linear and without recursion, so it is safe on any body."""
    text = _STRINGS.sub(b'""', raw)
    brackets = text.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_BRACKET_DEPTH.__getitem__, brackets)), default=0)
