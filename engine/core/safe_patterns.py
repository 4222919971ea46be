"""Regular expressions from form schemas (`pattern`, `patternProperties`) that match in bounded time.

Why: Python's `re` backtracks and cannot be interrupted, so `^(a+)+$` pins a worker for 25 s on a
30-character answer and `\\d*\\d*\\d*x` for minutes on a thousand. Rather than time each match, a pattern
is judged by its shape when the form is saved or deployed, and again before a submission is checked (a
form stored earlier may carry one): no backreferences, no quantifier or alternation inside a repeated
group, at most two long repeats (`*`, `+`, `{n,}` or more than 100); and the text a pattern with long
repeats checks is short enough (MATCHED_CHARS_LIMITS) for a search to end within milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from re import _constants as sre  # the parser's opcodes: the only way to see a pattern's structure
from re import _parser as sre_parse
from typing import Any

MAX_PATTERN_CHARS = 1_000
MAX_LONG_REPEATS = 2
# By the number of long repeats: none matches in linear time; one in n², two in n³ steps.
MATCHED_CHARS_LIMITS: dict[int, int | None] = {0: None, 1: 2_000, 2: 200}
LONG_REPEAT = 100
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _walk(items: Any, inside_repeat: bool, counts: list[int]) -> str | None:
    for op, av in items:
        problem = _judge(op, av, inside_repeat, counts)
        if problem:
            return problem
    return None


def _judge(op: Any, av: Any, inside_repeat: bool, counts: list[int]) -> str | None:
    if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
        return "不允许反向引用（如 \\1）"
    if op in _REPEATS:
        low, high, body = av
        if high > 1 and inside_repeat:
            return "不允许嵌套的量词（如 (a+)+），会导致匹配极慢"
        if high == sre.MAXREPEAT or high > LONG_REPEAT:
            counts[0] += 1
            if counts[0] > MAX_LONG_REPEATS:
                return f"最多允许 {MAX_LONG_REPEATS} 个不限长度的量词（*、+ 或 {{n,}}），请改用 {{m,n}} 限定长度"
        return _walk(body, inside_repeat or high > 1, counts)
    if op is sre.BRANCH:
        if inside_repeat:
            return "不允许在重复的分组中使用 |（如 (a|aa)+），会导致匹配极慢"
        return next((p for p in (_walk(branch, inside_repeat, counts) for branch in av[1]) if p), None)
    if op is sre.SUBPATTERN:
        return _walk(av[3], inside_repeat, counts)
    if op is sre.ATOMIC_GROUP:
        return _walk(av, inside_repeat, counts)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return _walk(av[1], inside_repeat, counts)
    return None


@lru_cache(maxsize=512)
def _analyse(pattern: str) -> tuple[str | None, int]:
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"正则表达式超过 {MAX_PATTERN_CHARS} 个字符", 0
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"不是有效的正则表达式：{exc}", 0
    counts = [0]
    return _walk(parsed, False, counts), counts[0]


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` could match slowly (or is no valid expression), in Chinese; None when it is safe."""
    return _analyse(pattern)[0]


def matched_chars_limit(pattern: str) -> int | None:
    """The longest text `pattern` may be matched against (a search costs about n^(long repeats + 1))."""
    return MATCHED_CHARS_LIMITS[min(_analyse(pattern)[1], MAX_LONG_REPEATS)]


def _patterns(schema: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            where = f"{path}.{key}" if path else str(key)
            if key == "pattern" and isinstance(value, str):
                yield where, value
            elif key == "patternProperties" and isinstance(value, dict):
                yield from ((f"{where}.{name}", name) for name in value)
                yield from _patterns(value, where)
            else:
                yield from _patterns(value, where)
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _patterns(value, f"{path}[{index}]")


def schema_pattern_problems(schema: Any) -> list[tuple[str, str]]:
    """(path in the schema, problem) of every unsafe pattern, e.g. ("properties.code.pattern", "...")."""
    return [(path, problem) for path, pattern in _patterns(schema, "") if (problem := pattern_problem(pattern))]
