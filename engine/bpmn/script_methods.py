"""Attribute access for diagram scripts: an allow-list of methods whose cost is bounded by their arguments.

Why: a deadline checked between statements cannot interrupt one long call inside a builtin
(`s.encode('punycode')` is quadratic, `(1).to_bytes(3*10**9, 'big')` allocates 3 GB at once). So on
the built-in types a script can hold (text, numbers, lists, dicts, sets, tuples) only the methods
listed here are reachable. Each listed method either runs in time and memory proportional to the
values it gets (which the other guards keep below `MAX_ITEMS`), or is handed out wrapped, so its
arguments are checked *before* the call: `join`, `replace`, padding, `expandtabs`, `encode`/`decode`
(UTF-8 only), `to_bytes` and `list.extend`. Any other method is refused with a script error naming it.
Every method that builds a new value (`upper`, `split`, `copy`, `union` ...) counts it against the
evaluation's memory budget (engine.bpmn.script_guards.charge), so repeating one cannot pile up memory.
Other objects (dates from the domain helpers) keep RestrictedPython's `safer_getattr`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

from engine.bpmn.script_guards import MAX_ITEMS, SLOT, ScriptError, charge, charged, refuse, units_of

_TEXT_READERS = frozenset({
    "capitalize", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii", "isdigit", "islower",
    "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "rfind",
    "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title",
    "upper",
})
_TEXT_WRAPPED = frozenset({"join", "replace", "ljust", "rjust", "center", "zfill", "expandtabs"})
_NUMBER_READERS = frozenset({"conjugate", "real", "imag", "as_integer_ratio", "is_integer"})
_SET_READERS = frozenset({"copy", "difference", "intersection", "isdisjoint", "issubset", "issuperset",
                          "symmetric_difference", "union"})

ALLOWED_METHODS: dict[type, frozenset[str]] = {
    str: _TEXT_READERS | _TEXT_WRAPPED | {"casefold", "isdecimal", "isidentifier", "isnumeric", "isprintable",
                                          "encode"},
    bytes: _TEXT_READERS | _TEXT_WRAPPED | {"decode", "hex"},
    int: _NUMBER_READERS | {"bit_length", "bit_count", "numerator", "denominator", "to_bytes"},
    bool: _NUMBER_READERS | {"bit_length", "bit_count", "numerator", "denominator"},
    float: _NUMBER_READERS | {"hex"},
    list: frozenset({"append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse",
                     "sort"}),
    tuple: frozenset({"count", "index"}),
    dict: frozenset({"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"}),
    set: _SET_READERS | {"add", "clear", "difference_update", "discard", "intersection_update", "pop", "remove",
                         "symmetric_difference_update", "update"},
    frozenset: _SET_READERS,
}
# Methods returning a new value whose size follows the receiver's; pieces of a split are new texts too.
_BUILDERS = frozenset({
    "capitalize", "casefold", "lower", "upper", "swapcase", "title", "strip", "lstrip", "rstrip", "removeprefix",
    "removesuffix", "hex", "copy", "difference", "intersection", "symmetric_difference", "union",
})
_SPLITTERS = frozenset({"split", "rsplit", "splitlines", "partition", "rpartition"})
_GROWERS = frozenset({"update", "difference_update", "intersection_update", "symmetric_difference_update"})
_UTF8 = frozenset({"utf-8", "utf8", "utf_8", "u8"})
_CODEC_ERRORS = frozenset({"strict", "ignore", "replace"})


def utf8_problem(encoding: Any, errors: Any = "strict") -> str | None:
    """Why an `encode`/`decode` call is refused: only UTF-8 runs in linear time for every input."""
    if not isinstance(encoding, str) or encoding.strip().lower() not in _UTF8:
        return f"脚本中只允许 UTF-8 编码，不允许 '{str(encoding)[:40]}'"
    if errors not in _CODEC_ERRORS:
        return f"脚本中不允许编码错误处理方式 '{str(errors)[:40]}'"
    return None


def _bounded_codec(text: Any, name: str) -> Callable[..., Any]:
    method = getattr(text, name)

    def codec(encoding: Any = "utf-8", errors: Any = "strict") -> Any:
        problem = utf8_problem(encoding, errors)
        if problem:
            raise ScriptError(problem)
        return charged(method(encoding, errors))

    return codec


def _bounded_to_bytes(number: int) -> Callable[..., bytes]:
    def to_bytes(length: Any = 1, byteorder: Any = "big", *, signed: bool = False) -> bytes:
        if isinstance(length, int) and length > MAX_ITEMS:
            raise refuse("to_bytes 的长度")
        if isinstance(length, int):
            charge(length)
        return number.to_bytes(length, byteorder, signed=signed)

    return to_bytes


def _bounded_join(sep: Any) -> Callable[[Iterable[Any]], Any]:
    def join(iterable: Iterable[Any]) -> Any:
        items = list(iterable)
        total = len(sep) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, (str, bytes)))
        if total > MAX_ITEMS:
            raise refuse("连接后的文本")
        charge(total + SLOT * len(items))
        return sep.join(items)

    return join


def _bounded_replace(text: Any) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: int = -1) -> Any:
        hits = len(text) + 1 if len(old) == 0 else text.count(old)
        if count >= 0:
            hits = min(hits, count)
        if len(text) + hits * (len(new) - len(old)) > MAX_ITEMS:
            raise refuse("替换后的文本")
        return charged(text.replace(old, new, count))

    return replace


def _bounded_width(text: Any, name: str) -> Callable[..., Any]:
    method = getattr(text, name)

    def pad(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_ITEMS:
            raise refuse("填充后的文本")
        return charged(method(width, *args))

    return pad


def _bounded_expandtabs(text: Any) -> Callable[..., Any]:
    def expandtabs(tabsize: int = 8) -> Any:
        tab = "\t" if isinstance(text, str) else b"\t"
        if len(text) + text.count(tab) * max(tabsize, 0) > MAX_ITEMS:
            raise refuse("展开后的文本")
        return charged(text.expandtabs(tabsize))

    return expandtabs


def _bounded_extend(target: list[Any]) -> Callable[[Iterable[Any]], None]:
    def extend(iterable: Iterable[Any]) -> None:
        items = list(iterable)
        if len(target) + len(items) > MAX_ITEMS:
            raise refuse("扩展后的列表")
        charge(SLOT * len(items))
        target.extend(items)

    return extend


def _counting_builder(method: Callable[..., Any]) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> Any:
        return charged(method(*args, **kwargs))

    return build


def _counting_splitter(method: Callable[..., Any]) -> Callable[..., Any]:
    def split(*args: Any, **kwargs: Any) -> Any:
        pieces = method(*args, **kwargs)
        charge(units_of(pieces) + sum(units_of(piece) for piece in pieces))
        return pieces

    return split


def _counting_grower(target: Any, method: Callable[..., Any]) -> Callable[..., Any]:
    def grow(*args: Any, **kwargs: Any) -> Any:
        before = len(target)
        result = method(*args, **kwargs)
        charge(SLOT * max(len(target) - before, 0))
        return result

    return grow


_WRAPPERS: dict[str, Callable[[Any, str], Callable[..., Any]]] = {
    "join": lambda obj, _: _bounded_join(obj),
    "replace": lambda obj, _: _bounded_replace(obj),
    "ljust": _bounded_width, "rjust": _bounded_width, "center": _bounded_width, "zfill": _bounded_width,
    "expandtabs": lambda obj, _: _bounded_expandtabs(obj),
    "encode": _bounded_codec, "decode": _bounded_codec,
    "to_bytes": lambda obj, _: _bounded_to_bytes(obj),
    "extend": lambda obj, _: _bounded_extend(obj),
}


def _allowed_for(obj: Any) -> frozenset[str] | None:
    allowed = ALLOWED_METHODS.get(type(obj))
    if allowed is None and not isinstance(obj, type):
        allowed = next((names for base, names in ALLOWED_METHODS.items() if isinstance(obj, base)), None)
    return allowed


def _counted_method(obj: Any, name: str) -> Any:
    value = getattr(obj, name)
    if name in _BUILDERS:
        return _counting_builder(value)
    if name in _SPLITTERS:
        return _counting_splitter(value)
    if name in _GROWERS:
        return _counting_grower(obj, value)
    return value


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """`_getattr_`: on built-in values only the allow-listed methods (bounded ones wrapped); elsewhere
    RestrictedPython's safer_getattr. A type itself (`str.upper`) offers none of its methods."""
    if type(name) is not str:
        raise TypeError("attribute names must be strings")
    if isinstance(obj, type) and obj in ALLOWED_METHODS:
        raise ScriptError(f"脚本中不允许 '{obj.__name__}.{name}'")
    allowed = _allowed_for(obj)
    if allowed is not None:
        if name not in allowed:
            if not hasattr(obj, name):
                raise AttributeError(f"'{type(obj).__name__}' object has no attribute '{name}'")
            raise ScriptError(f"脚本中不允许调用 '{type(obj).__name__}.{name}'")
        wrapper = _WRAPPERS.get(name)
        if wrapper is not None:
            return wrapper(obj, name)
        return _counted_method(obj, name)
    if default:
        return safer_getattr_raise(obj, name, default[0])
    return safer_getattr_raise(obj, name)
