"""The upload-time half of the script limits: refuse what is visibly too costly before anything runs.

Why: `'9' * 10**9`, `10**10**8`, `'a'.center(10**10)` or `s.encode('punycode')` need no task data to be
judged. Folding the constant parts of the syntax tree and putting them through the same run-time guards
(`engine.bpmn.script_guards`, `engine.bpmn.script_methods`) lets the upload validator name the element
and line at once; whatever depends on task data is still checked by the same guards when it runs.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from engine.bpmn.script_guards import (
    MAX_ITEMS,
    ScriptError,
    check_add,
    check_lshift,
    check_mod,
    check_mul,
    check_pow,
    refuse,
    safe_range,
    size_exceeds,
)
from engine.bpmn.script_methods import guarded_getattr, utf8_problem

_UNKNOWN = object()
_MAX_FOLDED_ITEMS = 1_000  # literal lists longer than this are left to the run-time guards
_MAX_FOLDED_SIZE = 10_000
_OPERATORS: dict[type[ast.operator], tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None] | None]] = {
    ast.Add: (operator.add, check_add), ast.Mult: (operator.mul, check_mul), ast.Pow: (operator.pow, check_pow),
    ast.LShift: (operator.lshift, check_lshift), ast.Mod: (operator.mod, check_mod), ast.Sub: (operator.sub, None),
    ast.Div: (operator.truediv, None), ast.FloorDiv: (operator.floordiv, None), ast.RShift: (operator.rshift, None),
    ast.BitAnd: (operator.and_, None), ast.BitOr: (operator.or_, None), ast.BitXor: (operator.xor, None),
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
_WIDTH_ARGUMENT = frozenset({"ljust", "rjust", "center", "zfill", "to_bytes"})


class StaticRefusal(Exception):
    """A costly construct found in the source; `node` is where."""

    def __init__(self, message: str, node: ast.AST) -> None:
        super().__init__(message)
        self.node = node


def _fold(node: ast.AST) -> Any:
    """The value of a constant sub-expression, or _UNKNOWN; refuses (StaticRefusal) what the guards refuse."""
    try:
        value = _fold_node(node)
    except ScriptError as exc:
        raise StaticRefusal(str(exc), node) from None
    except StaticRefusal:
        raise
    except Exception:  # noqa: BLE001 - any other failure (1/0, TypeError) is for run time to report
        return _UNKNOWN
    # Large legal values are not kept: folding must stay cheap in memory (checking them again at run time is).
    return _UNKNOWN if value is not _UNKNOWN and size_exceeds(value, _MAX_FOLDED_SIZE) else value


def _fold_node(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        value = _fold(node.operand)
        return _UNKNOWN if value is _UNKNOWN or isinstance(value, (str, bytes)) else _UNARY[type(node.op)](value)
    if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) <= _MAX_FOLDED_ITEMS:
        items = [_fold(element) for element in node.elts]
        if any(item is _UNKNOWN for item in items):
            return _UNKNOWN
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _fold(node.left), _fold(node.right)
        if left is _UNKNOWN or right is _UNKNOWN:
            return _UNKNOWN
        compute, check = _OPERATORS[type(node.op)]
        if check is not None:
            check(left, right)
        return compute(left, right)
    if isinstance(node, ast.Call):
        return _fold_call(node)
    _visit(node)
    return _UNKNOWN


def _visit(node: ast.AST) -> None:
    """Fold every expression below `node` once (lambdas, comprehensions, statements)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            _fold(child)
        else:
            _visit(child)


def _fold_call(node: ast.Call) -> Any:
    args = [_fold(argument) for argument in node.args]
    keywords = {k.arg: _fold(k.value) for k in node.keywords}
    func = node.func
    if isinstance(func, ast.Name) and func.id == "range" and len(args) <= 3 and _UNKNOWN not in args and not keywords:
        return safe_range(*args) if all(isinstance(a, int) for a in args) else _UNKNOWN
    if not isinstance(func, ast.Attribute):
        _fold(func)
        return _UNKNOWN
    _check_method_arguments(func.attr, args, keywords, node)
    receiver = _fold(func.value)
    if receiver is _UNKNOWN or _UNKNOWN in args or _UNKNOWN in keywords.values():
        return _UNKNOWN
    return guarded_getattr(receiver, func.attr)(*args, **keywords)


def _check_method_arguments(name: str, args: list[Any], keywords: dict[str | None, Any], node: ast.AST) -> None:
    """Arguments that make a method refused whatever it is called on."""
    if name in ("encode", "decode"):
        encoding = args[0] if args else keywords.get("encoding", "utf-8")
        errors = args[1] if len(args) > 1 else keywords.get("errors", "strict")
        if encoding is not _UNKNOWN and errors is not _UNKNOWN:
            problem = utf8_problem(encoding, errors)
            if problem:
                raise StaticRefusal(problem, node)
    if name in _WIDTH_ARGUMENT:
        width = args[0] if args else keywords.get("length", keywords.get("width", _UNKNOWN))
        if isinstance(width, int) and width > MAX_ITEMS:
            raise StaticRefusal(str(refuse("填充后的文本" if name != "to_bytes" else "to_bytes 的长度")), node)


def static_refusal(tree: ast.AST) -> StaticRefusal | None:
    """The first visibly costly construct in `tree`, or None. Each expression is folded once."""
    try:
        if isinstance(tree, ast.expr):
            _fold(tree)
        else:
            _visit(tree)
    except StaticRefusal as refusal:
        return refusal
    return None
