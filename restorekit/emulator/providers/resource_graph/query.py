"""The query language Resource Graph speaks (a subset of KQL): its text parsed into a plan.

A query is a table and a pipe of tabular operators::

    query     := [ TABLE ] { "|" operator }          (no table: Resources, Resource Graph's default)
    operator  := where EXPR
               | extend NAME = EXPR { , NAME = EXPR }
               | project [ NAME = ] EXPR { , … }   | project-away NAME { , NAME }   | project-rename NEW = OLD { , … }
               | join [ kind = innerunique | inner | leftouter | fullouter ] ( query ) on KEY { , KEY }
                     KEY := NAME | $left.NAME == $right.NAME
               | summarize [ [ NAME = ] AGGREGATE { , … } ] [ by [ NAME = ] EXPR { , … } ]
               | ( order | sort ) by EXPR [ asc | desc ] [ nulls first | nulls last ] { , … }
               | ( take | limit ) INTEGER
               | top INTEGER by EXPR [ asc | desc ] [ nulls first | nulls last ]
               | count
               | distinct EXPR { , EXPR }

Expressions: columns, ``properties.a.b``, ``tags['name']``, ``split(x, '/')[2]``; literals (``'text'`` or
``"text"``, numbers, ``true``/``false``, timespans ``1d`` ``2h`` ``30m`` ``10s`` ``100ms``, ``datetime(…)``,
``time(…)``, ``dynamic(…)``); ``- * / % + -``; comparisons ``== != < <= > >=``, ``=~ !~`` (case-insensitive),
``has contains startswith endswith`` (case-insensitive) and their ``!`` and ``_cs`` forms; ``in (…)``,
``!in (…)``, ``in~ (…)``, ``!in~ (…)``; ``between (a .. b)``; ``and``, ``or``; function calls (the
functions are :mod:`.functions`'). Keywords, table names and function names are case-insensitive; column
names are not. ``//`` starts a comment.

What Resource Graph limits is limited here too: at most three ``join`` per query, of the four kinds above
(``innerunique`` by default, as KQL). Anything else raises :class:`GraphQueryError` with the line and
position where the query stopped making sense; the endpoint answers it as Resource Graph answers an invalid
query (400 ``BadRequest``, ``InvalidQuery`` and ``ParserFailure``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .values import KqlError, parse_datetime_literal, parse_timespan_literal

TABLE = "RecoveryServicesResources"
#: The columns of every Resource Graph table of resources (``properties`` holds the rest).
COLUMNS = ("id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy",
           "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation")
#: The join kinds Resource Graph accepts (``innerunique`` when none is given, as in KQL).
JOIN_KINDS = ("innerunique", "inner", "leftouter", "fullouter")
#: Resource Graph's limit of ``join`` operators in one query.
MAX_JOINS = 3

_WORD = r"[A-Za-z_$][A-Za-z0-9_]*"
_UNITS = (r"days|day|d|hours|hour|hrs|hr|h|minutes|minute|min|m|seconds|second|sec|s|milliseconds|millisecond|"
          r"milli|ms|microseconds|microsecond|micro|ticks|tick")
_TOKEN = re.compile(rf"""\s*(?:
     (?P<comment>//[^\n]*)
    |(?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    |(?P<literal>(?:datetime|timespan|time)\s*\([^)]*\))
    |(?P<timespan>\d+(?:\.\d+)?(?:{_UNITS})\b)
    |(?P<number>\d+\.\d*(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)
    |(?P<op>==|!=|=~|!~|<=|>=|\.\.|[<>=+\-*/%])
    |(?P<word>!?{_WORD}(?:-(?:away|rename|keep|reorder|expand)\b)?~?)
    |(?P<punct>[|,.()\[\];])
    |(?P<other>\S))""", re.X)
#: Operators written as words (``!`` forms included), case-insensitive.
STRING_OPERATORS = ("has", "contains", "startswith", "endswith", "has_cs", "contains_cs", "startswith_cs",
                    "endswith_cs")
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "=~", "!~")


class GraphQueryError(Exception):
    """A query the emulator cannot run: where it stopped (1-based line and position) and on which token."""

    def __init__(self, line: int, position: int, token: str, reason: str = "") -> None:
        where = f"line {line}, position {position}: {token!r}"
        super().__init__(f"cannot parse the query at {where}" + (f" ({reason})" if reason else ""))
        self.line = line
        self.position = position
        self.token = token
        self.reason = reason


# --- the plan: expressions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Expr:
    """An expression; ``at`` is where it starts in the query (line, position), for errors."""


@dataclass(frozen=True)
class Literal(Expr):
    """A constant: text, number, boolean, datetime, timespan or dynamic value (None for a typed null)."""

    value: Any
    type: str


@dataclass(frozen=True)
class Column(Expr):
    """A column by name (``$left.x`` and ``$right.x`` keep their side in ``side``)."""

    name: str
    at: tuple[int, int] = (0, 0)
    side: str = ""


@dataclass(frozen=True)
class Member(Expr):
    """``base.key`` or ``base[key]``: a property of a dynamic object, or an element of a dynamic array."""

    base: Expr
    key: str | int
    at: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Call(Expr):
    """``name(args…)``; ``name`` in lower case. ``*`` as an argument (``arg_max(x, *)``) is :class:`Star`."""

    name: str
    args: tuple[Expr, ...]
    at: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Star(Expr):
    """``*`` as a function argument: every column."""


@dataclass(frozen=True)
class Binary(Expr):
    """``left op right``: arithmetic, comparison, string operator, ``and``, ``or``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Negative(Expr):
    """``-operand``."""

    operand: Expr


@dataclass(frozen=True)
class InList(Expr):
    """``operand in (items…)`` and its ``!in``, ``in~``, ``!in~`` forms."""

    op: str
    operand: Expr
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Between(Expr):
    """``operand between (low .. high)`` (``!between`` when ``negated``)."""

    operand: Expr
    low: Expr
    high: Expr
    negated: bool = False


# --- the plan: tabular operators ---------------------------------------------------------------------

@dataclass(frozen=True)
class SortKey:
    """One key of ``order by`` or ``top``: descending unless ``asc``; nulls last when descending, first when
    ascending, unless ``nulls first|last`` says otherwise (as KQL)."""

    expr: Expr
    descending: bool = True
    nulls_first: bool = False


@dataclass
class Pipeline:
    """A table (or, in a join, a sub-pipeline's result) and the operators that follow it."""

    table: str
    operators: list[Any] = field(default_factory=list)
    at: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class Where:
    """``where predicate``."""

    predicate: Expr


@dataclass(frozen=True)
class Extend:
    """``extend name = expr, …`` (each sees the columns the ones before it added)."""

    columns: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Project:
    """``project name = expr | column, …``: these columns only, in this order."""

    columns: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class ProjectAway:
    """``project-away column, …``."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class ProjectRename:
    """``project-rename new = old, …``."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Join:
    """``join kind=… (right) on keys``: ``keys`` are ``(left column, right column)`` pairs."""

    kind: str
    right: Pipeline
    keys: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Summarize:
    """``summarize aggregates by groups``: ``(name, Call)`` and ``(name, expr)`` pairs."""

    aggregates: tuple[tuple[str, Call], ...]
    groups: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class Order:
    """``order by`` / ``sort by``."""

    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class Take:
    """``take n`` / ``limit n``."""

    count: int


@dataclass(frozen=True)
class Top:
    """``top n by key``."""

    count: int
    key: SortKey


@dataclass(frozen=True)
class Count:
    """``count``: one row, one column ``Count``."""


@dataclass(frozen=True)
class Distinct:
    """``distinct expr, …``: one row per distinct combination."""

    columns: tuple[tuple[str, Expr], ...]


#: Operators after which Resource Graph cannot page (no ``$skipToken``): ``take``/``limit``, and ``top``.
LIMITING = (Take, Top)


# --- tokens ------------------------------------------------------------------------------------------

@dataclass
class _Token:
    kind: str
    text: str
    line: int
    position: int

    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _dynamic_end(text: str, start: int) -> int:
    """The offset just past the ``)`` closing the ``(`` at ``start``, quotes respected; -1 when unclosed."""
    depth, index, quote = 0, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


_DYNAMIC = re.compile(r"\s*dynamic\s*\(", re.I)


def tokens(text: str) -> list[_Token]:
    """The tokens of ``text`` (comments dropped); a character no token starts with is an ``other`` token."""
    out: list[_Token] = []
    index = 0
    while text[index:].strip():
        dynamic = _DYNAMIC.match(text, index)
        if dynamic:
            end = _dynamic_end(text, dynamic.end() - 1)
            start = dynamic.start() + len(dynamic.group()) - len(dynamic.group().lstrip())
            if end < 0:
                raise GraphQueryError(*_where(text, start), text[start:start + 20], "dynamic(…) is not closed")
            out.append(_Token("dynamic", text[start:end], *_where(text, start)))
            index = end
            continue
        m = _TOKEN.match(text, index)
        assert m is not None  # "other" matches any non-space character
        kind = m.lastgroup or ""
        if kind != "comment":
            out.append(_Token(kind, m.group(kind), *_where(text, m.start(kind))))
        index = m.end()
    return out


# --- the parser --------------------------------------------------------------------------------------

def _string_value(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


def _dynamic_value(raw: str) -> Any:
    inner = raw[raw.index("(") + 1:-1].strip()
    if inner.lower() == "null":
        return None
    converted = re.sub(r"'((?:[^'\\]|\\.)*)'", lambda m: json.dumps(_string_value("'" + m.group(1) + "'")), inner)
    return json.loads(converted)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.index = 0
        self.end = _where(text, len(text))
        self.joins = 0
        self.columns = 0  # unnamed columns so far (Column1, Column2…)

    # --- token helpers

    def peek(self, ahead: int = 0) -> _Token | None:
        at = self.index + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def fail(self, reason: str = "", token: _Token | None = None) -> GraphQueryError:
        token = token or self.peek()
        if token is None:
            return GraphQueryError(*self.end, "<EOF>", reason)
        return GraphQueryError(token.line, token.position, token.text, reason)

    def take(self, kind: str, *words: str) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind or (words and token.text.lower() not in words):
            raise self.fail(f"expected {' or '.join(words) or kind}")
        self.index += 1
        return token

    def accept(self, kind: str, *words: str) -> _Token | None:
        token = self.peek()
        if token is not None and token.kind == kind and (not words or token.text.lower() in words):
            self.index += 1
            return token
        return None

    def name(self) -> str:
        token = self.take("word")
        if token.text.startswith(("!", "$")) or token.text.endswith("~") or "-" in token.text:
            raise self.fail("expected a name", token)
        return token.text

    def integer(self) -> int:
        token = self.take("number")
        if not token.text.isdigit():
            raise self.fail("expected a whole number", token)
        return int(token.text)

    # --- pipelines

    def query(self) -> Pipeline:
        pipeline = self.pipeline()
        self.accept("punct", ";")
        if self.peek() is not None:
            raise self.fail("unexpected text after the query")
        return pipeline

    def pipeline(self) -> Pipeline:
        first = self.peek()
        if first is None:
            raise self.fail("expected a table")
        at = (first.line, first.position)
        if first.kind == "punct" and first.text == "|":
            table = "Resources"  # Resource Graph's default table
        else:
            table = self.name()
        out = Pipeline(table, at=at)
        while self.accept("punct", "|"):
            out.operators.append(self.operator())
        return out

    def operator(self) -> Any:
        token = self.peek()
        word = token.word() if token else ""
        handler = {
            "where": self.where_, "filter": self.where_, "extend": self.extend, "project": self.project,
            "project-away": self.project_away, "project-rename": self.project_rename, "join": self.join,
            "summarize": self.summarize, "order": self.order, "sort": self.order, "take": self.take_,
            "limit": self.take_, "top": self.top, "count": self.count, "distinct": self.distinct,
        }.get(word)
        if handler is None:
            raise self.fail("unknown or unsupported operator")
        self.index += 1
        return handler()

    def where_(self) -> Where:
        return Where(self.expr())

    def assignments(self) -> list[tuple[str | None, Expr]]:
        """``[name =] expr, …``: the name given, or None."""
        out: list[tuple[str | None, Expr]] = []
        while True:
            token, after = self.peek(), self.peek(1)
            if token is not None and token.kind == "word" and after is not None and after.kind == "op" \
                    and after.text == "=":
                name = self.name()
                self.take("op", "=")
                out.append((name, self.expr()))
            else:
                out.append((None, self.expr()))
            if not self.accept("punct", ","):
                return out

    def named(self, items: list[tuple[str | None, Expr]]) -> tuple[tuple[str, Expr], ...]:
        """Each expression with its name: the given one, or the one KQL gives (:meth:`column_name`)."""
        return tuple((name or self.column_name(expr), expr) for name, expr in items)

    def column_name(self, expr: Expr) -> str:
        """KQL's name of an unnamed column: the column itself, ``a_b`` for ``a.b``, else ``Column1``…"""
        parts: list[str] = []
        node = expr
        while isinstance(node, Member):
            parts.insert(0, str(node.key))
            node = node.base
        if isinstance(node, Column):
            return "_".join([node.name, *parts])
        self.columns += 1
        return f"Column{self.columns}"

    def extend(self) -> Extend:
        return Extend(self.named(self.assignments()))

    def project(self) -> Project:
        return Project(self.named(self.assignments()))

    def project_away(self) -> ProjectAway:
        names = [self.name()]
        while self.accept("punct", ","):
            names.append(self.name())
        return ProjectAway(tuple(names))

    def project_rename(self) -> ProjectRename:
        pairs = []
        while True:
            new = self.name()
            self.take("op", "=")
            pairs.append((new, self.name()))
            if not self.accept("punct", ","):
                return ProjectRename(tuple(pairs))

    def join(self) -> Join:
        at = self.tokens[self.index - 1]
        self.joins += 1
        if self.joins > MAX_JOINS:
            raise self.fail(f"Resource Graph allows at most {MAX_JOINS} joins in a query", at)
        kind = "innerunique"
        while self.peek() is not None and self.peek().kind == "word" and self.peek().word() != "on":
            option = self.peek()
            self.index += 1
            self.take("op", "=")
            value = self.take("word")
            if option.word() == "kind":
                kind = value.text.lower()
                if kind not in JOIN_KINDS:
                    raise self.fail(f"Resource Graph supports the join kinds {', '.join(JOIN_KINDS)}", value)
            else:
                raise self.fail("unsupported join option (Resource Graph allows no join hints)", option)
        self.take("punct", "(")
        right = self.pipeline()
        self.take("punct", ")")
        self.take("word", "on")
        keys = []
        while True:
            first = self.take("word")
            if first.text.lower() == "$left":
                self.take("punct", ".")
                left_name = self.name()
                self.take("op", "==")
                side = self.take("word", "$right")
                self.take("punct", ".")
                keys.append((left_name, self.name()))
                del side
            elif first.text.lower() == "$right":
                self.take("punct", ".")
                right_name = self.name()
                self.take("op", "==")
                self.take("word", "$left")
                self.take("punct", ".")
                keys.append((self.name(), right_name))
            else:
                self.index -= 1
                column = self.name()
                keys.append((column, column))
            if not self.accept("punct", ","):
                return Join(kind, right, tuple(keys))

    def summarize(self) -> Summarize:
        aggregates: list[tuple[str, Call]] = []
        if not (self.peek() is not None and self.peek().word() == "by"):
            for name, expr in self.assignments():
                if not isinstance(expr, Call):
                    raise self.fail("summarize takes aggregation functions (count(), max(x)…)")
                if name is None:  # KQL's name: count_, max_x, …
                    column = next((a for a in expr.args if isinstance(a, Column | Member)), None)
                    name = f"{expr.name}_{self.column_name(column) if column is not None else ''}"
                aggregates.append((name, expr))
        groups: list[tuple[str, Expr]] = []
        if self.accept("word", "by"):
            for name, expr in self.assignments():
                if name is None and isinstance(expr, Call) and expr.args and isinstance(expr.args[0], Column | Member):
                    name = self.column_name(expr.args[0])  # by bin(time, 1d) -> time
                groups.append((name or self.column_name(expr), expr))
        return Summarize(tuple(aggregates), tuple(groups))

    def sort_key(self) -> SortKey:
        expr = self.expr()
        descending = True
        if self.accept("word", "asc"):
            descending = False
        else:
            self.accept("word", "desc")
        nulls_first = not descending
        if self.accept("word", "nulls"):
            nulls_first = self.take("word", "first", "last").text.lower() == "first"
        return SortKey(expr, descending, nulls_first)

    def order(self) -> Order:
        self.take("word", "by")
        keys = [self.sort_key()]
        while self.accept("punct", ","):
            keys.append(self.sort_key())
        return Order(tuple(keys))

    def take_(self) -> Take:
        return Take(self.integer())

    def top(self) -> Top:
        count = self.integer()
        self.take("word", "by")
        return Top(count, self.sort_key())

    def count(self) -> Count:
        return Count()

    def distinct(self) -> Distinct:
        return Distinct(self.named(self.assignments()))

    # --- expressions, lowest precedence first

    def expr(self) -> Expr:
        left = self.and_()
        while self.accept("word", "or"):
            left = Binary("or", left, self.and_())
        return left

    def and_(self) -> Expr:
        left = self.comparison()
        while self.accept("word", "and"):
            left = Binary("and", left, self.comparison())
        return left

    def comparison(self) -> Expr:
        left = self.additive()
        token = self.peek()
        if token is None:
            return left
        if token.kind == "op" and token.text in _COMPARISONS:
            self.index += 1
            return Binary(token.text, left, self.additive())
        word = token.word()
        if word.lstrip("!") in STRING_OPERATORS:
            self.index += 1
            return Binary(word, left, self.additive())
        if word in ("in", "!in", "in~", "!in~"):
            self.index += 1
            self.take("punct", "(")
            items = [self.expr()]
            while self.accept("punct", ","):
                items.append(self.expr())
            self.take("punct", ")")
            return InList(word, left, tuple(items))
        if word in ("between", "!between"):
            self.index += 1
            self.take("punct", "(")
            low = self.additive()
            self.take("op", "..")
            high = self.additive()
            self.take("punct", ")")
            return Between(left, low, high, negated=word.startswith("!"))
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while (token := self.accept("op", "+", "-")) is not None:
            left = Binary(token.text, left, self.multiplicative())
        return left

    def multiplicative(self) -> Expr:
        left = self.unary()
        while (token := self.accept("op", "*", "/", "%")) is not None:
            left = Binary(token.text, left, self.unary())
        return left

    def unary(self) -> Expr:
        if self.accept("op", "-"):
            return Negative(self.unary())
        return self.postfix()

    def postfix(self) -> Expr:
        expr = self.primary()
        while True:
            dot = self.accept("punct", ".")
            if dot:
                token = self.take("word")
                expr = Member(expr, token.text, (token.line, token.position))
            elif (bracket := self.accept("punct", "[")) is not None:
                token = self.peek()
                if token is not None and token.kind == "string":
                    self.index += 1
                    key: str | int = _string_value(token.text)
                elif token is not None and token.kind == "number" and token.text.isdigit():
                    self.index += 1
                    key = int(token.text)
                elif token is not None and token.kind == "op" and token.text == "-":
                    self.index += 1
                    key = -self.integer()
                else:
                    raise self.fail("expected a name in quotes or a whole number")
                self.take("punct", "]")
                expr = Member(expr, key, (bracket.line, bracket.position))
            else:
                return expr

    def primary(self) -> Expr:
        token = self.peek()
        if token is None:
            raise self.fail("expected an expression")
        self.index += 1
        try:
            if token.kind == "string":
                return Literal(_string_value(token.text), "string")
            if token.kind == "number":
                is_real = any(c in token.text for c in ".eE")
                return Literal(float(token.text) if is_real else int(token.text), "real" if is_real else "long")
            if token.kind == "timespan":
                return Literal(parse_timespan_literal(token.text), "timespan")
            if token.kind == "literal":
                kind, inner = token.text.split("(", 1)
                inner = inner[:-1].strip()
                if kind.strip().lower() == "datetime":
                    value: datetime | timedelta | None = None if inner.lower() == "null" else \
                        parse_datetime_literal(inner)
                    return Literal(value, "datetime")
                return Literal(None if inner.lower() == "null" else parse_timespan_literal(inner), "timespan")
            if token.kind == "dynamic":
                return Literal(_dynamic_value(token.text), "dynamic")
        except (KqlError, ValueError) as err:
            raise self.fail(str(err), token) from None
        if token.kind == "punct" and token.text == "(":
            inner_expr = self.expr()
            self.take("punct", ")")
            return inner_expr
        if token.kind == "op" and token.text == "*":
            return Star()
        if token.kind == "word":
            word = token.text.lower()
            if word in ("true", "false"):
                return Literal(word == "true", "bool")
            if word in ("$left", "$right"):
                self.take("punct", ".")
                return Column(self.name(), (token.line, token.position), side=word[1:])
            if token.text.startswith("!") or token.text.endswith("~") or "-" in token.text:
                self.index -= 1
                raise self.fail("expected an expression")
            if self.accept("punct", "("):
                args: list[Expr] = []
                if not self.accept("punct", ")"):
                    args.append(self.expr())
                    while self.accept("punct", ","):
                        args.append(self.expr())
                    self.take("punct", ")")
                return Call(word, tuple(args), (token.line, token.position))
            return Column(token.text, (token.line, token.position))
        self.index -= 1
        raise self.fail("expected an expression")


def parse(text: str) -> Pipeline:
    """Parse ``text`` into a plan; raises :class:`GraphQueryError` for anything outside the subset."""
    return _Parser(text).query()
