"""Running a parsed query (:mod:`.query`) over Resource Graph's tables, a column at a time.

A :class:`Frame` holds a table being computed: one Python list per column, every list as long as the frame.
Expressions are compiled once per operator into functions from a frame to a column (a list), so a row costs a
few list comprehensions, not a walk of the expression tree: at 100,000 VMs a join and a score of twenty terms
take about a second. Tables come from a function ``tables(pipeline, types) -> Frame``; ``types`` is the set of
resource types (lower case) the query's first ``where`` keeps, when it says so (``type =~ '…'``,
``type in~ (…)``), so a table may skip building rows the query drops at once.

What each operator does is KQL's: ``where`` keeps the rows whose predicate is true (null is not);
``extend``/``project`` compute columns (a later one sees the earlier ones); ``join`` matches rows on equal keys
(null matches nothing), the right side's columns renamed ``name1`` when the left has one of that name
(``innerunique`` keeps one left row per key first; ``leftouter`` keeps left rows without a match, nulls on the
right, or empty texts: KQL's strings are never null; ``fullouter`` keeps both sides' unmatched rows); ``summarize`` gives one row per group, group columns
first; ``order by`` sorts stably, nulls last when descending and first when ascending unless told.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import compress
from typing import Any

from . import values as kv
from .functions import AGGREGATES, ROW_PICKERS, SCALARS
from .query import (
    Between,
    Binary,
    Call,
    Column,
    Count,
    Distinct,
    Expr,
    Extend,
    GraphQueryError,
    InList,
    Join,
    Literal,
    Member,
    Negative,
    Order,
    Pipeline,
    Project,
    ProjectAway,
    ProjectRename,
    SortKey,
    Star,
    Summarize,
    Take,
    Top,
    Where,
)

#: A column: one value per row.
Values = list[Any]


@dataclass
class Frame:
    """A table being computed: its columns in order (name → values), their KQL types, its number of rows.

    A type is ``string``, ``long``, ``real``, ``bool``, ``datetime``, ``timespan`` or ``dynamic``; None when it
    depends on the values (``iff``, ``coalesce``…: read from them when the answer is written).
    """

    columns: dict[str, Values]
    types: dict[str, str | None]
    length: int

    def take(self, indices: list[int]) -> Frame:
        """The rows at ``indices``, in that order."""
        return Frame({name: [col[i] for i in indices] for name, col in self.columns.items()}, dict(self.types),
                     len(indices))

    def rows(self) -> list[dict[str, Any]]:
        """Every row as a dict, columns in order."""
        names = list(self.columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*self.columns.values(), strict=True)] \
            if names else [{} for _ in range(self.length)]


#: ``tables(pipeline, types)``: the frame of the pipeline's table (``types``: the resource types the query keeps,
#: or None); an unknown table raises :class:`GraphQueryError` where the pipeline names it.
Tables = Callable[[Pipeline, "set[str] | None"], Frame]


@dataclass(frozen=True)
class _Compiled:
    """A compiled expression: ``run(frame) -> values``, and its static type."""

    run: Callable[[Frame], Values]
    type: str | None


def _error(at: tuple[int, int], token: str, reason: str) -> GraphQueryError:
    return GraphQueryError(at[0], at[1], token, reason)


def _name_at(expr: Expr) -> tuple[tuple[int, int], str]:
    if isinstance(expr, Column | Call):
        return expr.at, expr.name
    if isinstance(expr, Member):
        return expr.at, str(expr.key)
    return (1, 1), ""


class _Compiler:
    """Compiles expressions against a frame's columns; ``now`` is the moment ``now()`` and ``ago()`` read."""

    def __init__(self, types: dict[str, str | None], now: datetime) -> None:
        self.types = types
        self.now = now

    def compile(self, expr: Expr) -> _Compiled:
        method = getattr(self, f"_{type(expr).__name__.lower()}", None)
        if method is None:
            at, token = _name_at(expr)
            raise _error(at, token or "*", "not allowed here")
        return method(expr)

    def _literal(self, expr: Literal) -> _Compiled:
        value = expr.value
        return _Compiled(lambda f: [value] * f.length, expr.type)

    def _column(self, expr: Column) -> _Compiled:
        if expr.name not in self.types:
            raise _error(expr.at, expr.name, f"no column named {expr.name!r} here")
        name = expr.name
        return _Compiled(lambda f: f.columns[name], self.types[name])

    def _member(self, expr: Member) -> _Compiled:
        base = self.compile(expr.base)
        if base.type not in ("dynamic", None):
            raise _error(expr.at, str(expr.key), f"a {base.type} has no properties or elements")
        key = expr.key
        if isinstance(key, str):
            def run(f: Frame) -> Values:
                return [v.get(key) if type(v) is dict else None for v in base.run(f)]
        else:
            def run(f: Frame) -> Values:
                return [v[key] if type(v) is list and -len(v) <= key < len(v) else None for v in base.run(f)]
        return _Compiled(run, "dynamic")

    def _call(self, expr: Call) -> _Compiled:
        if expr.name in AGGREGATES or expr.name in ROW_PICKERS:
            raise _error(expr.at, expr.name, "an aggregation belongs in summarize")
        function = SCALARS.get(expr.name)
        if function is None:
            raise _error(expr.at, expr.name, f"unknown function {expr.name}()")
        if len(expr.args) < function.least or (function.most is not None and len(expr.args) > function.most):
            raise _error(expr.at, expr.name, f"wrong number of arguments to {expr.name}()")
        args = [self.compile(a) for a in expr.args]
        apply, returns = function.apply, function.returns
        if function.needs_now:
            now = self.now
            if not args:
                return _Compiled(lambda f: [apply(now)] * f.length, returns)
            return _Compiled(lambda f: [apply(now, *a) for a in zip(*(x.run(f) for x in args), strict=True)],
                             returns)
        if returns == "dynamic" and expr.name in ("iff", "iif", "case", "coalesce", "min_of", "max_of", "bin",
                                                  "floor", "abs"):
            returns = None  # its type is its arguments'
        fast = _FAST_CALLS.get(expr.name)
        if fast is not None:
            return _Compiled(fast(*args), returns)
        if len(args) == 1:
            only = args[0]
            return _Compiled(lambda f: list(map(apply, only.run(f))), returns)
        return _Compiled(lambda f: list(map(apply, *(a.run(f) for a in args))), returns)

    def _binary(self, expr: Binary) -> _Compiled:
        left, right = self.compile(expr.left), self.compile(expr.right)
        op = expr.op
        if op == "and":
            return _Compiled(lambda f: [a is True and b is True for a, b in zip(left.run(f), right.run(f),
                                                                                  strict=True)], "bool")
        if op == "or":
            return _Compiled(lambda f: [a is True or b is True for a, b in zip(left.run(f), right.run(f),
                                                                                 strict=True)], "bool")
        if isinstance(expr.right, Literal) and isinstance(expr.right.value, str) and op in ("==", "!=", "=~", "!~"):
            return self._text_test(left, op, expr.right.value)
        function = {"==": kv.equals, "!=": kv.not_equals, "=~": kv.equals_ignoring_case,
                    "!~": lambda a, b: not kv.equals_ignoring_case(a, b), "<": kv.less, "<=": kv.less_or_equal,
                    ">": kv.greater, ">=": kv.greater_or_equal, "+": kv.add, "-": kv.subtract, "*": kv.multiply,
                    "/": kv.divide, "%": kv.modulo}.get(op) or kv.string_operator(op)
        returns = "bool" if op not in ("+", "-", "*", "/", "%") else _arithmetic_type(op, left.type, right.type)
        native = _NATIVE.get(op)
        if native is not None:  # numbers (the score's sums and tests): Python's own operator, no call a row
            def run(f: Frame) -> Values:
                numbers = _NUMBERS
                return [native(a, b) if type(a) in numbers and type(b) in numbers else function(a, b)
                        for a, b in zip(left.run(f), right.run(f), strict=True)]
            return _Compiled(run, returns)
        return _Compiled(lambda f: list(map(function, left.run(f), right.run(f))), returns)

    @staticmethod
    def _text_test(left: _Compiled, op: str, text: str) -> _Compiled:
        """``x == 'text'`` and its kin, the commonest test in a query: one comprehension, no call a row."""
        to_text = kv.to_text
        if op in ("=~", "!~"):
            lowered, want = text.lower(), op == "=~"
            return _Compiled(lambda f: [((v if type(v) is str else to_text(v)).lower() == lowered) is want
                                        for v in left.run(f)], "bool")
        want = op == "=="
        return _Compiled(lambda f: [((v if type(v) is str else to_text(v)) == text) is want for v in left.run(f)],
                         "bool")

    def _negative(self, expr: Negative) -> _Compiled:
        operand = self.compile(expr.operand)
        return _Compiled(lambda f: list(map(kv.negative, operand.run(f))), operand.type)

    def _inlist(self, expr: InList) -> _Compiled:
        operand = self.compile(expr.operand)
        negated, fold = expr.op.startswith("!"), expr.op.endswith("~")
        if all(isinstance(i, Literal) for i in expr.items):
            items = [i.value for i in expr.items]  # type: ignore[union-attr]
            if fold or all(isinstance(i, str) for i in items):
                texts = {kv.to_text(i).lower() if fold else kv.to_text(i) for i in items}

                def run(f: Frame) -> Values:
                    to_text = kv.to_text
                    if fold:
                        return [(to_text(v).lower() in texts) is not negated for v in operand.run(f)]
                    return [(to_text(v) in texts) is not negated for v in operand.run(f)]
                return _Compiled(run, "bool")
        compiled = [self.compile(i) for i in expr.items]

        def generic(f: Frame) -> Values:
            columns = [c.run(f) for c in compiled]
            out = []
            for row, value in enumerate(operand.run(f)):
                found = any((kv.equals_ignoring_case(value, col[row]) if fold else kv.equals(value, col[row]))
                            for col in columns)
                out.append(found is not negated)
            return out
        return _Compiled(generic, "bool")

    def _between(self, expr: Between) -> _Compiled:
        operand, low, high = self.compile(expr.operand), self.compile(expr.low), self.compile(expr.high)

        def run(f: Frame) -> Values:
            out = []
            for v, lo, hi in zip(operand.run(f), low.run(f), high.run(f), strict=True):
                inside = kv.greater_or_equal(v, lo) is True and kv.less_or_equal(v, hi) is True
                out.append(None if v is None else inside is not expr.negated)
            return out
        return _Compiled(run, "bool")


def _iff(condition: _Compiled, then: _Compiled, otherwise: _Compiled) -> Callable[[Frame], Values]:
    return lambda f: [t if c is True else e for c, t, e in zip(condition.run(f), then.run(f), otherwise.run(f),
                                                               strict=True)]


def _tostring(value: _Compiled) -> Callable[[Frame], Values]:
    to_text = kv.to_text
    return lambda f: [v if type(v) is str else to_text(v) for v in value.run(f)]


def _tolower(value: _Compiled) -> Callable[[Frame], Values]:
    to_text = kv.to_text
    return lambda f: [(v if type(v) is str else to_text(v)).lower() for v in value.run(f)]


def _isempty(value: _Compiled) -> Callable[[Frame], Values]:
    return lambda f: [v is None or v == "" for v in value.run(f)]


def _isnotempty(value: _Compiled) -> Callable[[Frame], Values]:
    return lambda f: [v is not None and v != "" for v in value.run(f)]


def _isnull(value: _Compiled) -> Callable[[Frame], Values]:
    return lambda f: [v is None for v in value.run(f)]


def _isnotnull(value: _Compiled) -> Callable[[Frame], Values]:
    return lambda f: [v is not None for v in value.run(f)]


#: Functions a query calls on every row, run as one comprehension each (same results as :mod:`.functions`).
_FAST_CALLS: dict[str, Callable[..., Callable[[Frame], Values]]] = {
    "iff": _iff, "iif": _iff, "tostring": _tostring, "tolower": _tolower, "isempty": _isempty,
    "isnotempty": _isnotempty, "isnull": _isnull, "isnotnull": _isnotnull}
#: Operators whose Python operator is KQL's for two numbers (booleans are no numbers here).
_NATIVE: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                                                 "<": operator.lt, "<=": operator.le, ">": operator.gt,
                                                 ">=": operator.ge}
_NUMBERS = frozenset({int, float})


def _arithmetic_type(op: str, left: str | None, right: str | None) -> str | None:
    if op == "-" and left == right == "datetime":
        return "timespan"
    if op in ("+", "-") and "datetime" in (left, right):
        return "datetime"
    if op == "/" and left == right == "timespan":
        return "real"
    if left == right and left in ("long", "real", "timespan"):
        return left
    if {left, right} == {"long", "real"}:
        return "real"
    return None


# --- tabular operators -------------------------------------------------------------------------------

def _where(frame: Frame, op: Where, now: datetime) -> Frame:
    mask = _Compiler(frame.types, now).compile(op.predicate).run(frame)
    keep = [m is True for m in mask]
    columns = {name: list(compress(col, keep)) for name, col in frame.columns.items()}
    return Frame(columns, dict(frame.types), sum(keep))


def _extend(frame: Frame, op: Extend, now: datetime) -> Frame:
    out = Frame(dict(frame.columns), dict(frame.types), frame.length)
    for name, expr in op.columns:
        compiled = _Compiler(out.types, now).compile(expr)
        out.columns[name] = compiled.run(out)
        out.types[name] = compiled.type
    return out


def _project(frame: Frame, op: Project, now: datetime) -> Frame:
    compiler = _Compiler(frame.types, now)
    columns: dict[str, Values] = {}
    types: dict[str, str | None] = {}
    for name, expr in op.columns:
        compiled = compiler.compile(expr)
        columns[name] = compiled.run(frame)
        types[name] = compiled.type
    return Frame(columns, types, frame.length)


def _project_away(frame: Frame, op: ProjectAway, now: datetime) -> Frame:
    missing = [n for n in op.names if n not in frame.columns]
    if missing:
        raise GraphQueryError(1, 1, missing[0], f"no column named {missing[0]!r} here")
    return Frame({n: c for n, c in frame.columns.items() if n not in op.names},
                 {n: t for n, t in frame.types.items() if n not in op.names}, frame.length)


def _project_rename(frame: Frame, op: ProjectRename, now: datetime) -> Frame:
    renamed = {old: new for new, old in op.pairs}
    missing = [old for old in renamed if old not in frame.columns]
    if missing:
        raise GraphQueryError(1, 1, missing[0], f"no column named {missing[0]!r} here")
    return Frame({renamed.get(n, n): c for n, c in frame.columns.items()},
                 {renamed.get(n, n): t for n, t in frame.types.items()}, frame.length)


def _free_name(name: str, taken: set[str]) -> str:
    """KQL's name for a right-side column whose name the left side has: ``name1``, ``name2``…"""
    number = 1
    while f"{name}{number}" in taken:
        number += 1
    return f"{name}{number}"


def _join(frame: Frame, op: Join, now: datetime, tables: Tables) -> Frame:
    right = run_pipeline(op.right, tables, now)
    for left_name, right_name in op.keys:
        if left_name not in frame.columns:
            raise GraphQueryError(1, 1, left_name, f"the left side has no column {left_name!r}")
        if right_name not in right.columns:
            raise GraphQueryError(1, 1, right_name, f"the right side has no column {right_name!r}")
    left_keys = _keys(frame, [k for k, _ in op.keys])
    right_keys = _keys(right, [k for _, k in op.keys])
    matches: dict[Any, list[int]] = {}
    for index, key in enumerate(right_keys):
        if key is not None:
            matches.setdefault(key, []).append(index)
    matched_left: list[int] = []
    matched_right: list[int] = []
    alone: list[int] = []  # left rows without a match (kept by leftouter and fullouter)
    seen: set[Any] = set()
    for index, key in enumerate(left_keys):
        if op.kind == "innerunique":
            if key in seen:
                continue
            seen.add(key)
        found = matches.get(key) if key is not None else None
        if found:
            matched_left.extend([index] * len(found))
            matched_right.extend(found)
        elif op.kind in ("leftouter", "fullouter"):
            alone.append(index)
    right_alone = []
    if op.kind == "fullouter":
        taken = set(matched_right)
        right_alone = [i for i in range(right.length) if i not in taken]
    # rows: the matches, then left rows alone (nulls on the right), then right rows alone (nulls on the left)
    sides = ((frame, matched_left + alone, len(right_alone)), (right, matched_right, len(alone)))
    columns: dict[str, Values] = {}
    types: dict[str, str | None] = {}
    for side, taken_rows, gap in sides:
        for name, col in side.columns.items():
            target = name if name not in columns else _free_name(name, set(columns) | set(right.columns))
            missing = "" if side.types[name] == "string" else None  # KQL's strings are never null: empty
            values = list(map(col.__getitem__, taken_rows))
            if side is frame:
                values += [missing] * gap
            else:
                values += [missing] * gap + list(map(col.__getitem__, right_alone))
            columns[target] = values
            types[target] = side.types[name]
    return Frame(columns, types, len(matched_left) + len(alone) + len(right_alone))


def _hashable(value: Any) -> Any:
    return kv.to_text(value) if isinstance(value, dict | list) else value


def _keys(frame: Frame, names: list[str]) -> list[Any]:
    """Each row's join key (None when a part is null: it matches nothing)."""
    if len(names) == 1:
        return [_hashable(v) for v in frame.columns[names[0]]]
    parts = [frame.columns[n] for n in names]
    return [None if any(v is None for v in row) else tuple(map(_hashable, row)) for row in zip(*parts, strict=True)]


def _summarize(frame: Frame, op: Summarize, now: datetime) -> Frame:
    compiler = _Compiler(frame.types, now)
    group_values = [(name, compiler.compile(expr)) for name, expr in op.groups]
    computed = [(name, c, c.run(frame)) for name, c in group_values]
    groups: dict[Any, list[int]] = {}
    if computed:
        keys = zip(*(tuple(map(_hashable, values)) for _, _, values in computed), strict=True)
        for index, key in enumerate(keys):
            groups.setdefault(key, []).append(index)
    else:
        groups[()] = list(range(frame.length))  # one group, even of no rows
    firsts = [rows[0] for rows in groups.values()]
    columns: dict[str, Values] = {name: [values[i] for i in firsts] for name, _, values in computed}
    types: dict[str, str | None] = {name: c.type for name, c, _ in computed}
    for name, call in op.aggregates:
        if call.name in ROW_PICKERS:
            _pick_rows(frame, call, compiler, groups, columns, types, [n for n, _ in op.groups])
            continue
        aggregate = AGGREGATES.get(call.name)
        if aggregate is None:
            raise GraphQueryError(*call.at, call.name, f"unknown aggregation {call.name}()")
        if len(call.args) < aggregate.least or (aggregate.most is not None and len(call.args) > aggregate.most):
            raise GraphQueryError(*call.at, call.name, f"wrong number of arguments to {call.name}()")
        args = [compiler.compile(a).run(frame) for a in call.args]
        if call.name == "count":
            columns[name] = [len(rows) for rows in groups.values()]
        else:
            columns[name] = [aggregate.apply(*([arg[i] for i in rows] for arg in args)) for rows in groups.values()]
        types[name] = None if aggregate.returns == "dynamic" and call.name not in ("make_list", "make_set") \
            else aggregate.returns
    return Frame(columns, types, len(groups))


def _pick_rows(frame: Frame, call: Call, compiler: _Compiler, groups: dict[Any, list[int]],
               columns: dict[str, Values], types: dict[str, str | None], group_names: list[str]) -> None:
    """``arg_max(by, columns… | *)``: per group, the row where ``by`` is largest (``arg_min``: smallest)."""
    if not call.args or isinstance(call.args[0], Star):
        raise GraphQueryError(*call.at, call.name, f"{call.name}() needs an expression to maximise first")
    by = compiler.compile(call.args[0])
    by_values = by.run(frame)
    pick = ROW_PICKERS[call.name]
    chosen = []
    for rows in groups.values():
        known = [i for i in rows if by_values[i] is not None]
        chosen.append(pick(known, key=lambda i: kv.sort_key(by_values[i])) if known else rows[0])
    first = call.args[0]
    by_name = first.name if isinstance(first, Column) else f"{call.name.split('_')[1]}_"
    columns[by_name] = [by_values[i] for i in chosen]
    types[by_name] = by.type
    wanted: list[str] = []
    for arg in call.args[1:]:
        if isinstance(arg, Star):
            wanted += [n for n in frame.columns if n not in group_names and n != by_name]
        elif isinstance(arg, Column):
            if arg.name not in frame.columns:
                raise GraphQueryError(*arg.at, arg.name, f"no column named {arg.name!r} here")
            wanted.append(arg.name)
        else:
            raise GraphQueryError(*call.at, call.name, f"{call.name}() takes columns or * after its first argument")
    for name in wanted:
        if name not in columns:
            columns[name] = [frame.columns[name][i] for i in chosen]
            types[name] = frame.types[name]


def _order_indices(frame: Frame, keys: tuple[SortKey, ...], now: datetime) -> list[int]:
    compiler = _Compiler(frame.types, now)
    indices = list(range(frame.length))
    for key in reversed(keys):  # stable sorts, least significant key first
        values = compiler.compile(key.expr).run(frame)
        null_rank = 2 if key.nulls_first == key.descending else 0

        def rank(i: int, values: Values = values, null_rank: int = null_rank) -> tuple[Any, ...]:
            v = values[i]
            return (null_rank,) if v is None else (1, kv.sort_key(v))
        indices.sort(key=rank, reverse=key.descending)
    return indices


def _order(frame: Frame, op: Order, now: datetime) -> Frame:
    return frame.take(_order_indices(frame, op.keys, now))


def _take(frame: Frame, op: Take, now: datetime) -> Frame:
    return frame.take(list(range(min(op.count, frame.length))))


def _top(frame: Frame, op: Top, now: datetime) -> Frame:
    return frame.take(_order_indices(frame, (op.key,), now)[:op.count])


def _count(frame: Frame, op: Count, now: datetime) -> Frame:
    return Frame({"Count": [frame.length]}, {"Count": "long"}, 1)


def _distinct(frame: Frame, op: Distinct, now: datetime) -> Frame:
    projected = _project(frame, Project(op.columns), now)
    seen: dict[Any, int] = {}
    for index, row in enumerate(zip(*projected.columns.values(), strict=True)):
        seen.setdefault(tuple(map(_hashable, row)), index)
    return projected.take(list(seen.values()))


_OPERATORS: dict[type, Callable[[Frame, Any, datetime], Frame]] = {
    Where: _where, Extend: _extend, Project: _project, ProjectAway: _project_away, ProjectRename: _project_rename,
    Summarize: _summarize, Order: _order, Take: _take, Top: _top, Count: _count, Distinct: _distinct,
}


def resource_types(pipeline: Pipeline) -> set[str] | None:
    """The resource types (lower case) the pipeline's first ``where`` keeps, if it names them; else None.

    ``type == 'x'``, ``type =~ 'x'``, ``type in ('x', …)`` and ``type in~ (…)``, alone or in an ``and``.
    """
    first = pipeline.operators[0] if pipeline.operators else None
    if not isinstance(first, Where):
        return None

    def of(expr: Expr) -> set[str] | None:
        if isinstance(expr, Binary) and expr.op == "and":
            left, right = of(expr.left), of(expr.right)
            return left if right is None else right if left is None else left & right
        if isinstance(expr, Binary) and expr.op in ("==", "=~") and isinstance(expr.left, Column) \
                and expr.left.name == "type" and isinstance(expr.right, Literal) and isinstance(expr.right.value, str):
            return {expr.right.value.lower()}
        if isinstance(expr, InList) and expr.op in ("in", "in~") and isinstance(expr.operand, Column) \
                and expr.operand.name == "type" and all(isinstance(i, Literal) for i in expr.items):
            return {str(i.value).lower() for i in expr.items}  # type: ignore[union-attr]
        return None
    return of(first.predicate)


def run_pipeline(pipeline: Pipeline, tables: Tables, now: datetime) -> Frame:
    """The frame a pipeline computes: its table's rows through each operator in turn."""
    frame = tables(pipeline, resource_types(pipeline))
    for op in pipeline.operators:
        if isinstance(op, Join):
            frame = _join(frame, op, now, tables)
        else:
            frame = _OPERATORS[type(op)](frame, op, now)
    return frame
