"""Run-time guards for diagram scripts: the step deadline, size limits and the safe builtins.

Why: RestrictedPython stops scripts from reaching files, imports and dunder attributes, but not
from burning CPU (`while True`) or memory (`10**10**10`, `'x' * 10**10`). The compiler in
`engine.bpmn.scripting` rewrites loops, calls and the dangerous operators into the helpers below,
which consult a per-thread deadline and refuse results that would be huge *before* computing them.
"""

from __future__ import annotations

import contextvars
import math
import operator
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)

MAX_INT_BITS = 4096
MAX_ITEMS = 1_000_000  # the longest string or sequence a script may build
MAX_DATA_SIZE = 5_000_000  # rough serialized size of what a script may leave in task data
MAX_FORMAT_WIDTH = 10_000
# The most instances one multi-instance task may start from a computed cardinality or collection:
# SpiffWorkflow creates them all in one step, outside any script, and the cost grows faster than n.
MAX_LOOP_INSTANCES = 500
DEFAULT_TIME_LIMIT = 3.0
# What one evaluation of a script or expression may allocate in total, in rough bytes: a character or
# byte counts 1, a slot of a list, tuple, set or dict 8 (its pointer), an int its bytes. Every value a
# script builds goes through a counted operation, so memory is bounded *during* the run, not only after.
DEFAULT_MEMORY_BUDGET = 50_000_000
SLOT = 8

_SEQUENCES = (str, bytes, bytearray, list, tuple)


class ScriptError(Exception):
    """A diagram script did something the sandbox refuses (too large, not allowed)."""


class ScriptTimeout(ScriptError):
    """A diagram script ran past its step deadline."""


class ScriptMemoryExceeded(ScriptError):
    """A diagram script allocated more than its evaluation's memory budget."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("cwflow_script_deadline", default=None)
# [units left, units granted] for the evaluation running in this context; None outside any script.
_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("cwflow_script_budget", default=None)


class StepDeadline:
    """Context manager setting a monotonic deadline for the scripts run inside it.

    Nested deadlines keep the earlier one, so a per-script limit never extends the limit
    of the whole step. It lives in a context variable: it works in any thread, without signals.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._token: contextvars.Token[float | None] | None = None

    def __enter__(self) -> StepDeadline:
        new = time.monotonic() + self.seconds
        current = _deadline.get()
        self._token = _deadline.set(new if current is None else min(current, new))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _deadline.reset(self._token)
            self._token = None

    def check(self, *_: object) -> None:
        """Raise ScriptTimeout once the deadline has passed; a callback between engine steps,
        since a loop of cheap steps (each script quick) never reaches a script's own check."""
        current = _deadline.get()
        if current is not None and time.monotonic() > current:
            raise ScriptTimeout("流程步骤运行过久（自动步骤过多），已中止")

    @staticmethod
    def remaining() -> float | None:
        """Seconds left before the active deadline, or None when none is set."""
        current = _deadline.get()
        return None if current is None else current - time.monotonic()


def deadline(seconds: float) -> StepDeadline:
    """`with deadline(2.0): ...` bounds every script evaluated inside the block."""
    return StepDeadline(seconds)


class MemoryBudget:
    """Context manager granting one evaluation `units` to allocate; each evaluation gets its own."""

    def __init__(self, units: int) -> None:
        self.units = units
        self._token: contextvars.Token[list[int] | None] | None = None

    def __enter__(self) -> MemoryBudget:
        self._token = _budget.set([self.units, self.units])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _budget.reset(self._token)
            self._token = None


def _over_budget(granted: int) -> ScriptMemoryExceeded:
    return ScriptMemoryExceeded(f"脚本占用的内存超过上限（约 {max(granted // 1_000_000, 1)} MB），已中止")


def charge(units: int) -> None:
    """Count `units` against the running evaluation's budget; refuse once it is spent."""
    left = _budget.get()
    if left is not None:
        left[0] -= units
        if left[0] < 0:
            raise _over_budget(left[1])


def units_of(value: Any) -> int:
    """The rough size in bytes of `value` itself (not what it refers to), in constant time."""
    kind = type(value)
    if kind is str or kind is bytes or kind is bytearray:
        return len(value)
    if kind is int:
        return value.bit_length() >> 3
    if kind is list or kind is tuple or kind is dict or kind is set or kind is frozenset:
        return SLOT * len(value)
    return 0


def charged(value: Any) -> Any:
    """Count a freshly built `value` and hand it back."""
    charge(units_of(value))
    return value


def tick() -> bool:
    """Called at the top of every function and except block: the deadline, and a spent budget again
    (so a script catching the refusal gets it once more)."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current:
        raise ScriptTimeout("脚本运行时间过长，已中止")
    left = _budget.get()
    if left is not None and left[0] < 0:
        raise _over_budget(left[1])
    return True


def step() -> bool:
    """Called in every loop iteration and comprehension item: `tick`, and one slot of the budget, since
    an iteration may keep one more value (`append`, `d[k] = v`, the item of a comprehension)."""
    current = _deadline.get()
    if current is not None and time.monotonic() > current:
        raise ScriptTimeout("脚本运行时间过长，已中止")
    charge(SLOT)
    return True


def spread(value: Any) -> Any:
    """Wraps `*x` and `**x` in displays and calls: the unpacked copy counts."""
    if hasattr(value, "__len__"):
        charge(SLOT * len(value))
    return value


def refuse(what: str) -> ScriptError:
    return ScriptError(f"{what}过大，已拒绝")


def size_exceeds(obj: Any, limit: int) -> bool:
    """Whether `obj` rendered as text/JSON would exceed about `limit` characters (stops early)."""
    return rough_size(obj, limit) > limit


def rough_size(obj: Any, limit: int) -> int:
    """About how many characters `obj` rendered as text/JSON takes; past `limit` it stops counting."""
    total = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes, bytearray)):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total > limit:
                return total
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            if total > limit:
                return total
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3 + 1
        else:
            total += 8
        if total > limit:
            return total
    return total


def check_mul(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            raise refuse("乘积")
        return
    seq, count = (a, b) if isinstance(a, _SEQUENCES) else (b, a)
    if isinstance(seq, _SEQUENCES) and isinstance(count, int) and count > 0:
        if len(seq) * count > MAX_ITEMS:
            raise refuse("重复后的序列")
        if isinstance(seq, (list, tuple)) and size_exceeds(seq, MAX_DATA_SIZE // count):
            raise refuse("重复后的序列")


def check_pow(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        if math.log2(abs(a)) * b > MAX_INT_BITS:
            raise refuse("乘方结果")


def check_lshift(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and a.bit_length() + b > MAX_INT_BITS:
        raise refuse("移位结果")


def check_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES) and len(a) + len(b) > MAX_ITEMS:
        raise refuse("拼接结果")


def check_mod(a: Any, b: Any) -> None:
    """`'%s' % x` formatting: bound the widths in the format and the size of the arguments."""
    if isinstance(a, (str, bytes)):
        text = a.decode("latin-1") if isinstance(a, bytes) else a
        check_format_widths(text)
        if size_exceeds(b, MAX_ITEMS):
            raise refuse("格式化后的文本")


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def check_format_widths(text: str) -> None:
    """Refuse `%` widths/precisions that would pad the result to an enormous size."""
    for match in _PERCENT_SPEC.finditer(text.replace("%%", "")):
        for part in match.groups():
            if part == "*":
                raise ScriptError("% 格式化中不允许 '*' 宽度")
            if part and int(part) > MAX_FORMAT_WIDTH:
                raise refuse("格式化后的文本")


_CHECKS: dict[str, Callable[[Any, Any], None]] = {
    "+": check_add, "*": check_mul, "**": check_pow, "<<": check_lshift, "%": check_mod,
}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior, "^=": operator.ixor,
    "@=": operator.imatmul,
}


# Each result below is bounded by its check, so it is counted once built (the overshoot is one value).
def guarded_add(a: Any, b: Any) -> Any:
    check_add(a, b)
    return charged(a + b)


def guarded_mul(a: Any, b: Any) -> Any:
    check_mul(a, b)
    return charged(a * b)


def guarded_pow(a: Any, b: Any) -> Any:
    check_pow(a, b)
    return charged(a**b)


def guarded_lshift(a: Any, b: Any) -> Any:
    check_lshift(a, b)
    return charged(a << b)


def guarded_mod(a: Any, b: Any) -> Any:
    check_mod(a, b)
    return charged(a % b)


def _counted_operator(op: Callable[..., Any]) -> Callable[..., Any]:
    """An operator whose result is no bigger than its operands (`-`, `//`, `|`, unary `-`, ...): it
    needs no check before, but each result is new memory, so it counts (a loop of big integers
    would otherwise pile up unseen)."""

    def counted(*operands: Any) -> Any:
        return charged(op(*operands))

    counted.__name__ = f"counted_{op.__name__}"
    return counted


guarded_sub, guarded_floordiv, guarded_truediv, guarded_rshift, guarded_and, guarded_or, guarded_xor = (
    _counted_operator(op) for op in (operator.sub, operator.floordiv, operator.truediv, operator.rshift,
                                     operator.and_, operator.or_, operator.xor))
guarded_neg, guarded_invert = _counted_operator(operator.neg), _counted_operator(operator.invert)


def safe_abs(number: Any) -> Any:
    return charged(abs(number))


def safe_divmod(a: Any, b: Any) -> Any:
    quotient, remainder = divmod(a, b)
    charged(quotient)
    charged(remainder)
    return quotient, remainder


def guarded_inplace(op: str, a: Any, b: Any) -> Any:
    """`x += y` and friends (RestrictedPython's `_inplacevar_`), with the same size checks and counting."""
    check = _CHECKS.get(op[:-1])
    if check is not None:
        check(a, b)
    if type(a) is list or type(a) is dict or type(a) is set:  # changed in place: only the growth counts
        before = len(a)
        result = _INPLACE[op](a, b)
        charge(SLOT * max(len(result) - before, 0))
        return result
    return charged(_INPLACE[op](a, b))


def guarded_format_value(value: Any) -> Any:
    """Wraps each `{value}` of an f-string: refuse rendering something enormous, count its text."""
    size = len(value) if type(value) is str else rough_size(value, MAX_ITEMS)
    if size > MAX_ITEMS:
        raise refuse("格式化后的文本")
    charge(size)
    return value


class _ListWriter:
    """What `_write_` hands out for lists: item assignment, with slice assignment bounded."""

    __slots__ = ("_target",)

    def __init__(self, target: list[Any]) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = list(value)
            if len(self._target) + len(value) > MAX_ITEMS:
                raise refuse("列表")
            charge(SLOT * len(value))
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def guarded_write(obj: Any) -> Any:
    """`_write_`: scripts may change dicts and lists (task data); nothing else."""
    if type(obj) is dict:
        return obj
    if type(obj) is list:
        return _ListWriter(obj)
    return full_write_guard(obj)


def guarded_getitem(obj: Any, key: Any) -> Any:
    """`_getitem_`: a slice is a copy, so it counts."""
    if type(key) is slice:
        return charged(obj[key])
    return obj[key]


def guarded_apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


# ---- builtins -----------------------------------------------------------------------------


def safe_range(*args: int) -> range:
    """`range`, refused beyond MAX_ITEMS items so `list(range(...))` cannot eat the memory."""
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = MAX_ITEMS + 1
    if length > MAX_ITEMS:
        raise refuse("range 范围")
    return result


def safe_str(*args: Any, **kwargs: Any) -> str:
    """`str`, refusing to render enormous containers."""
    if len(args) == 1 and not kwargs and size_exceeds(args[0], MAX_ITEMS):
        raise refuse("文本")
    return charged(str(*args, **kwargs))


def safe_repr(obj: Any) -> str:
    if size_exceeds(obj, MAX_ITEMS):
        raise refuse("文本")
    return charged(repr(obj))


def _counted(kind: Callable[..., Any]) -> Callable[..., Any]:
    """A builtin that builds a new container (`list`, `dict`, `sorted` ...), counting what it built."""

    def build(*args: Any, **kwargs: Any) -> Any:
        return charged(kind(*args, **kwargs))

    build.__name__ = kind.__name__
    return build


safe_list, safe_tuple, safe_dict, safe_set, safe_sorted = (_counted(k) for k in (list, tuple, dict, set, sorted))


def safe_sum(iterable: Iterable[Any], start: Any = 0) -> Any:
    total = start
    for item in iterable:
        tick()
        total = guarded_add(total, item)
    return total


def safe_round(number: Any, ndigits: int | None = None) -> Any:
    if isinstance(ndigits, int) and ndigits < -1000:
        raise refuse("取整结果")
    return round(number) if ndigits is None else round(number, ndigits)


_TYPE_ALIASES: dict[Any, type] = {
    safe_str: str, safe_range: range, safe_list: list, safe_tuple: tuple, safe_dict: dict, safe_set: set,
}


def _real_type(cls: Any) -> Any:
    if isinstance(cls, tuple):
        return tuple(_real_type(c) for c in cls)
    return _TYPE_ALIASES.get(cls, cls)


def safe_isinstance(obj: Any, cls: Any) -> bool:
    """`isinstance` that understands the guarded `str` and `range` as the real types."""
    return isinstance(obj, _real_type(cls))


def safe_issubclass(cls: Any, parent: Any) -> bool:
    return issubclass(_real_type(cls), _real_type(parent))


_REMOVED = {
    "__build_class__", "pow", "setattr", "delattr", "id", "complex", "repr", "range", "str",
    "BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "_getattr_",
}


def _builtins() -> dict[str, Any]:
    names = {name: value for name, value in safe_builtins.items() if name not in _REMOVED}
    names.update(
        len=len, min=min, max=max, sum=safe_sum, sorted=safe_sorted, round=safe_round, abs=safe_abs, divmod=safe_divmod,
        int=int, float=float, str=safe_str, repr=safe_repr, bool=bool, list=safe_list, dict=safe_dict,
        set=safe_set, tuple=safe_tuple, range=safe_range, enumerate=enumerate, zip=zip, any=any,
        all=all, isinstance=safe_isinstance, issubclass=safe_issubclass,
    )
    names.update({"None": None, "True": True, "False": False})
    return names


SAFE_BUILTINS: dict[str, Any] = _builtins()

# Names the compiler's rewritten code calls (`_getattr_` is added by engine.bpmn.scripting); they start with "_" so scripts can neither name
# nor replace them.
BASE_GUARDS: dict[str, Any] = {
    "_getitem_": guarded_getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": guarded_write,
    "_inplacevar_": guarded_inplace,
    "_apply_": guarded_apply,
    "_cw_tick_": tick,
    "_cw_step_": step,
    "_cw_spread_": spread,
    "_cw_add_": guarded_add,
    "_cw_mul_": guarded_mul,
    "_cw_pow_": guarded_pow,
    "_cw_lshift_": guarded_lshift,
    "_cw_mod_": guarded_mod,
    "_cw_sub_": guarded_sub,
    "_cw_floordiv_": guarded_floordiv,
    "_cw_truediv_": guarded_truediv,
    "_cw_rshift_": guarded_rshift,
    "_cw_and_": guarded_and,
    "_cw_or_": guarded_or,
    "_cw_xor_": guarded_xor,
    "_cw_neg_": guarded_neg,
    "_cw_invert_": guarded_invert,
    "_cw_fmt_": guarded_format_value,
}
