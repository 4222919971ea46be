"""The restricted script environment: every script, condition, timer and DMN cell runs here.

Why: SpiffWorkflow's default engine is `exec`/`eval` with full builtins, so an uploaded diagram
could run anything on the server. Here every source is compiled by RestrictedPython with a
stricter policy (no imports, no `_` names, no `format` games, loops and functions that check a
deadline, guarded `**`, `*`, `<<`, `+`, `%`, a memory budget counted in every operation that builds a
value) and runs with a small whitelist of builtins. The
task-data semantics are those of SpiffWorkflow's TaskDataEnvironment, so diagrams behave the same.

Time and memory: the deadline is checked between statements, never inside one builtin call, so every
call a script can reach is bounded by its arguments before it runs: an allow-list of builtins and of
methods (engine.bpmn.script_methods), size checks on the operators (engine.bpmn.script_guards), and at
upload the same checks on the constant parts of the source (engine.bpmn.script_static). This keeps the
common path (a condition reading task data) free of any per-call cost beyond the attribute guard; the
timer worker adds hard process limits as a backstop (engine.process.timer_watchdog).
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import copy_locations
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from engine.bpmn.runtime_caps import ValueRefused, check_computed_value
from engine.bpmn.script_guards import (
    BASE_GUARDS,
    DEFAULT_MEMORY_BUDGET,
    DEFAULT_TIME_LIMIT,
    MAX_DATA_SIZE,
    MAX_FORMAT_WIDTH,
    SAFE_BUILTINS,
    MemoryBudget,
    ScriptError,
    ScriptMemoryExceeded,
    ScriptTimeout,
    StepDeadline,
    deadline,
    size_exceeds,
)
from engine.bpmn.script_methods import guarded_getattr
from engine.bpmn.script_static import static_refusal

__all__ = [
    "RestrictedEnvironment",
    "RestrictedSyntaxError",
    "ScriptError",
    "ScriptMemoryExceeded",
    "ScriptTimeout",
    "StepDeadline",
    "ValueRefused",
    "compile_expression",
    "compile_script",
    "deadline",
    "make_script_engine",
]

GUARDS: dict[str, Any] = {**BASE_GUARDS, "_getattr_": guarded_getattr}
MAX_SOURCE_CHARS = 100_000
FILENAME = "<string>"  # SpiffWorkflow finds the failing line by this frame name

_BINOP_HELPERS: dict[type[ast.operator], str] = {
    ast.Add: "_cw_add_",
    ast.Mult: "_cw_mul_",
    ast.Pow: "_cw_pow_",
    ast.LShift: "_cw_lshift_",
    ast.Mod: "_cw_mod_",
    ast.Sub: "_cw_sub_",
    ast.FloorDiv: "_cw_floordiv_",
    ast.Div: "_cw_truediv_",
    ast.RShift: "_cw_rshift_",
    ast.BitAnd: "_cw_and_",
    ast.BitOr: "_cw_or_",
    ast.BitXor: "_cw_xor_",
}
_UNARY_HELPERS: dict[type[ast.unaryop], str] = {ast.USub: "_cw_neg_", ast.Invert: "_cw_invert_"}
_FORBIDDEN_CALLS = frozenset({
    "eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "hasattr", "type", "breakpoint", "input", "help", "dir", "memoryview", "super", "object", "pow",
    "format", "id", "exit", "quit", "bytes", "bytearray",
})


class RestrictedSyntaxError(SyntaxError):
    """Valid Python that the sandbox refuses (an import, a `_` name, `eval()` ...)."""


class SandboxPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, stricter, and rewriting code so the run-time guards apply."""

    # -- refusals with messages a diagram author understands
    def check_name(self, node: Any, name: str | None, allow_magic_methods: bool = False) -> None:
        if name and name.startswith("_") and name != "_":
            self.error(node, f'不允许以 "_" 开头的名称（{name}）')
            return
        super().check_name(node, name, allow_magic_methods)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("print", "printed"):
            self.error(node, "脚本中不能使用 print")
            return node
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            self.error(node, f'不允许以 "_" 开头的属性（.{node.attr}）')
            return node
        if node.attr in ("format", "format_map"):
            self.error(node, f"不允许 .{node.attr}()，请改用 f-string")
            return node
        return super().visit_Attribute(node)

    def visit_Call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self.error(node, f"不允许调用 {node.func.id}()")
            return node
        return super().visit_Call(node)

    def visit_Import(self, node: ast.AST) -> Any:
        self.error(node, "不允许 import")
        return node

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self.error(node, "不允许定义类")
        return node

    def visit_With(self, node: ast.With) -> Any:
        self.error(node, "不允许 with 语句")
        return node

    # -- rewrites
    def _tick(self, where: Any, helper: str = "_cw_tick_") -> ast.Call:
        call = ast.Call(func=ast.Name(helper, ast.Load()), args=[], keywords=[])
        copy_locations(call, where)
        return call

    def _tick_statement(self, where: Any, helper: str = "_cw_tick_") -> ast.Expr:
        statement = ast.Expr(value=self._tick(where, helper))
        copy_locations(statement, where)
        return statement

    def _spread(self, value: ast.expr) -> ast.Call:
        call = ast.Call(func=ast.Name("_cw_spread_", ast.Load()), args=[value], keywords=[])
        copy_locations(call, value)
        return call

    # Loop iterations and comprehension items count one slot each against the memory budget.
    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, self._tick_statement(node, "_cw_step_"))
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        node.body.insert(0, self._tick_statement(node, "_cw_step_"))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        node = super().visit_comprehension(node)
        node.ifs.insert(0, self._tick(node.iter, "_cw_step_"))
        return node

    # `[*x]`, `f(*x)`, `{**x}` and `f(**x)` copy x: counted like `list(x)`.
    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            node.value = self._spread(node.value)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        node = super().visit_Dict(node)
        node.values = [self._spread(v) if k is None else v for k, v in zip(node.keys, node.values, strict=True)]
        return node

    def visit_keyword(self, node: ast.keyword) -> Any:
        node = super().visit_keyword(node)
        if node.arg is None:
            node.value = self._spread(node.value)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        both = ast.BoolOp(op=ast.And(), values=[self._tick(node.body), node.body])
        copy_locations(both, node.body)
        node.body = both
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        # A script catching the timeout gets it again at once.
        node = super().visit_ExceptHandler(node)
        node.body.insert(0, self._tick_statement(node))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        helper = _BINOP_HELPERS.get(type(node.op))
        if helper is None:
            return node
        call = ast.Call(func=ast.Name(helper, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        node = super().visit_UnaryOp(node)
        helper = _UNARY_HELPERS.get(type(node.op))
        if helper is None or isinstance(node.operand, ast.Constant):  # `-1` stays a constant
            return node
        call = ast.Call(func=ast.Name(helper, ast.Load()), args=[node.operand], keywords=[])
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = super().visit_FormattedValue(node)
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                self.error(node, "f-string 中不允许计算出的格式说明")
            elif any(int(d) > MAX_FORMAT_WIDTH for p in parts for d in re.findall(r"\d+", p.value)):
                self.error(node, "f-string 的格式宽度过大")
        wrapped = ast.Call(func=ast.Name("_cw_fmt_", ast.Load()), args=[node.value], keywords=[])
        copy_locations(wrapped, node.value)
        node.value = wrapped
        return node


_ERROR_LINE = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


def _restricted_error(message: str, source: str) -> RestrictedSyntaxError:
    match = _ERROR_LINE.match(message)
    lineno, text = (int(match.group(1)) if match.group(1).isdigit() else 1, match.group(2)) if match else (1, message)
    lines = source.splitlines() or [""]
    line_text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    return RestrictedSyntaxError(text.rstrip("."), (FILENAME, lineno, None, line_text))


def _policy_errors(tree: ast.AST, mode: str) -> tuple[CodeType | None, tuple[str, ...]]:
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(tree, filename=FILENAME, policy=SandboxPolicy)
    return result.code, tuple(result.errors)


def _compile(source: str, mode: str) -> CodeType:
    if not isinstance(source, str):
        raise TypeError(f"script source must be a string, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_CHARS:
        raise SyntaxError(f"脚本超过 {MAX_SOURCE_CHARS} 个字符", (FILENAME, 1, None, ""))
    try:
        try:
            tree = ast.parse(source, filename=FILENAME, mode=mode)
        except SyntaxError as exc:
            if mode == "eval":
                _explain_statement(source)
            raise SyntaxError(exc.msg, (FILENAME, exc.lineno or 1, exc.offset, exc.text)) from None
        costly = static_refusal(tree)  # before the policy, which rewrites the tree in place
        code, errors = _policy_errors(tree, mode)
    except (RecursionError, MemoryError, ValueError) as exc:
        message = "the script is nested too deeply" if not isinstance(exc, ValueError) else str(exc)
        raise SyntaxError(message, (FILENAME, 1, None, "")) from None
    if errors or code is None:
        raise _restricted_error(errors[0] if errors else "脚本无法编译", source)
    if costly is not None:
        lineno = getattr(costly.node, "lineno", 1)
        lines = source.splitlines() or [""]
        raise RestrictedSyntaxError(str(costly), (FILENAME, lineno, None, lines[lineno - 1] if lineno <= len(lines) else ""))
    return code


def _explain_statement(source: str) -> None:
    """An expression site got statements: report the sandbox's objection, or say so plainly."""
    try:
        tree = ast.parse(source, filename=FILENAME, mode="exec")
    except SyntaxError:
        return
    _, errors = _policy_errors(tree, "exec")
    if errors:
        raise _restricted_error(errors[0], source)
    raise SyntaxError("此处应为表达式，而不是语句", (FILENAME, 1, None, source[:80]))


@lru_cache(maxsize=2048)
def compile_expression(src: str) -> CodeType:
    """Compile a condition, timer expression or DMN cell; SyntaxError (with lineno) if refused.

    Surrounding whitespace is ignored (modelers indent XML text); line numbers stay those of `src`.
    """
    if not isinstance(src, str):
        raise TypeError(f"expression source must be a string, not {type(src).__name__}")
    stripped = src.strip()
    try:
        return _compile(stripped, "eval")
    except SyntaxError as exc:
        exc.lineno = (exc.lineno or 1) + src[: len(src) - len(src.lstrip())].count("\n")
        raise


@lru_cache(maxsize=1024)
def compile_script(src: str) -> CodeType:
    """Compile a script task, pre- or post-script; SyntaxError (with lineno) if refused.

    A script indented as a whole (pretty-printed XML) is dedented; line numbers are kept.
    """
    if not isinstance(src, str):
        raise TypeError(f"script source must be a string, not {type(src).__name__}")
    return _compile(textwrap.dedent(src), "exec")


def _sealed(function: Callable[..., Any]) -> Callable[..., Any]:
    """A plain closure around a helper, so scripts cannot reach `.args`/`.func` of a partial or a
    bound method's object (a session, say) through attributes without an underscore."""

    def helper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return helper


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment running restricted code under a deadline.

    `functions` are the domain helpers offered to scripts (`policy`, `add_days`, ...); each evaluation
    may allocate `memory_budget` rough bytes (engine.bpmn.script_guards.MemoryBudget). Like
    TaskDataEnvironment, `execute` changes `context` (the task data) in place and afterwards removes
    builtins, callables and the injected names, so the task data stays serialisable.
    """

    def __init__(
        self, functions: Mapping[str, Callable[..., Any]] | None = None, *, time_limit: float = DEFAULT_TIME_LIMIT,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        super().__init__({name: _sealed(function) for name, function in (functions or {}).items()})
        self.time_limit = time_limit
        self.memory_budget = memory_budget

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> Any:
        code = compile_expression(expression)
        scope: dict[str, Any] = {**self.globals, **(external_context or {}), **context}
        scope.update(GUARDS)
        scope["__builtins__"] = SAFE_BUILTINS
        with deadline(self.time_limit), MemoryBudget(self.memory_budget):
            result = eval(code, scope)  # noqa: S307 - restricted code, restricted scope
        if size_exceeds(result, MAX_DATA_SIZE):
            raise ScriptError("表达式的结果过大")
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        external = dict(external_context or {})
        self.check_for_overwrite(context, external)
        code = compile_script(script)
        context.update(self.globals)
        context.update(external)
        context.update(GUARDS)
        context["__builtins__"] = SAFE_BUILTINS
        try:
            with deadline(self.time_limit), MemoryBudget(self.memory_budget):
                exec(code, context)  # noqa: S102 - restricted code, restricted scope
        finally:
            self._remove_injected(context, external)
        if size_exceeds(context, MAX_DATA_SIZE):
            raise ScriptError("脚本在任务中留下的数据过多")
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptError("不支持服务任务")

    def check_for_overwrite(self, context: Mapping[str, Any], external: Mapping[str, Any]) -> None:
        """Fail clearly when task data would hide a helper function (as SpiffWorkflow does)."""
        clashes = (set(self.globals) | set(external)) & set(context)
        if clashes:
            names = ", ".join(sorted(clashes))
            raise ValueError(f"任务数据使用了预定义函数的名称：{names}；请重命名这些字段")

    def _remove_injected(self, context: dict[str, Any], external: Mapping[str, Any]) -> None:
        for key in list(context):
            value = context[key]
            if key == "__builtins__" or key in GUARDS or key in self.globals or key in external or callable(value):
                context.pop(key)


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose `validate` (used by the DMN engine) is the restricted compiler, and
    which checks the values the engine acts on (instances to create, timers to set) against caps."""

    def validate(self, expression: str) -> None:
        compile_script(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        check_computed_value(task.task_spec, expression, value)
        return value


def make_script_engine(
    functions: Mapping[str, Callable[..., Any]] | None = None, *, time_limit: float = DEFAULT_TIME_LIMIT,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
) -> PythonScriptEngine:
    """The script engine to attach to every BpmnWorkflow (again after every load)."""
    environment = RestrictedEnvironment(functions, time_limit=time_limit, memory_budget=memory_budget)
    return RestrictedScriptEngine(environment=environment)
