"""The narrow subset of Resource Graph's query language (KQL) the emulator understands.

Grammar (keywords and the table names are case-insensitive)::

    query  := TABLE { "|" clause }
    TABLE  := RecoveryServicesResources | Resources | ResourceContainers
    clause := "where" cond { "and" cond }
            | ("order" | "sort") "by" field [ "asc" | "desc" ] { "," field [ "asc" | "desc" ] }
            | ("take" | "limit") INTEGER
    cond   := field ( "==" | "=~" | "!=" | "!~" | "startswith" | "!startswith" | "contains" | "!contains" ) STRING
    field  := COLUMN | ("properties" | "tags") { "." NAME | "[" STRING "]" }
    STRING := '…' or "…" (a backslash escapes the quote)

``==``/``!=`` compare case-sensitively, ``=~``/``!~``, ``startswith`` and ``contains`` (and their negations)
case-insensitively, as KQL does; values are compared as text (a missing property reads as empty text, as
KQL's ``tostring`` of null). ``tags['restorekit-drill']`` reads a tag whose name is not an identifier. As in KQL, ``order by``
sorts descending unless ``asc`` is given. Anything else is refused as Resource Graph refuses an
invalid query (400 ``BadRequest`` with ``InvalidQuery`` and ``ParserFailure`` details).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TABLE = "RecoveryServicesResources"
#: The tables a query may start from (their rows: ``rows.TABLES``).
TABLES = (TABLE, "Resources", "ResourceContainers")
#: Columns whose values are objects a field may reach into.
NESTED = ("properties", "tags")
#: The table's columns (``properties`` holds the rest).
COLUMNS = ("id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId", "managedBy",
           "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation")

_TOKEN = re.compile(r"""\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<op>==|=~|!=|!~|!startswith\b|!contains\b)
                        |(?P<punct>[|,.\[\]])|(?P<number>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<other>\S))""", re.X)


class GraphQueryError(Exception):
    """A query the emulator cannot run: where it stopped (1-based line and position) and on which token."""

    def __init__(self, line: int, position: int, token: str) -> None:
        super().__init__(f"cannot parse the query at line {line}, position {position}: {token!r}")
        self.line = line
        self.position = position
        self.token = token


@dataclass(frozen=True)
class Condition:
    """``field op value``."""

    path: tuple[str, ...]
    op: str
    value: str

    def holds(self, row: dict[str, Any]) -> bool:
        """True when ``row`` satisfies the condition."""
        actual = as_text(lookup(row, self.path))
        op = self.op.lstrip("!")
        if op in ("~", "=~"):
            found = actual.lower() == self.value.lower()
        elif op == "startswith":
            found = actual.lower().startswith(self.value.lower())
        elif op == "contains":
            found = self.value.lower() in actual.lower()
        else:
            found = actual == self.value
        return found if self.op in ("==", "=~", "startswith", "contains") else not found


@dataclass
class GraphQuery:
    """A parsed query: conditions (all must hold), sort keys, and an optional row limit."""

    table: str = TABLE
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)
    limit: int | None = None

    def run(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows that match, sorted and limited as the query says."""
        out = [row for row in rows if all(c.holds(row) for c in self.conditions)]
        for path, descending in reversed(self.order):
            out.sort(key=lambda row, p=path: as_text(lookup(row, p)), reverse=descending)
        return out if self.limit is None else out[:self.limit]


def lookup(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` (``("properties", "x")``), or None."""
    value: Any = row
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def as_text(value: Any) -> str:
    """KQL's ``tostring``: null is empty, booleans are lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class _Token:
    kind: str
    text: str
    line: int
    position: int


def _tokens(text: str) -> list[_Token]:
    """The tokens of ``text``; a character no token starts with is an ``other`` token the parser refuses."""
    out: list[_Token] = []
    index = 0
    while text[index:].strip():
        m = _TOKEN.match(text, index)
        assert m is not None  # "other" matches any non-space character
        kind = m.lastgroup or ""
        start = m.start(kind)
        out.append(_Token(kind, m.group(kind), *_where(text, start)))
        index = m.end()
    return out


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.end = _where(text, len(text))

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def fail(self) -> GraphQueryError:
        token = self.peek()
        if token is None:
            return GraphQueryError(*self.end, "<EOF>")
        return GraphQueryError(token.line, token.position, token.text)

    def take(self, kind: str, *words: str) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind or (words and token.text.lower() not in words):
            raise self.fail()
        self.index += 1
        return token

    def accept(self, kind: str, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == kind and (not words or token.text.lower() in words):
            self.index += 1
            return True
        return False

    def field(self) -> tuple[str, ...]:
        first = self.take("name")
        if first.text not in COLUMNS:
            self.index -= 1
            raise self.fail()
        path = [first.text]
        while True:
            if self.accept("punct", "."):
                step = self.take("name").text
            elif self.accept("punct", "["):
                step = self.string()
                self.take("punct", "]")
            else:
                break
            if first.text not in NESTED:
                self.index -= 1
                raise self.fail()
            path.append(step)
        return tuple(path)

    def string(self) -> str:
        raw = self.take("string").text
        return re.sub(r"\\(.)", r"\1", raw[1:-1])

    def query(self) -> GraphQuery:
        table = self.take("name", *(t.lower() for t in TABLES)).text
        out = GraphQuery(table=next(t for t in TABLES if t.lower() == table.lower()))
        while self.accept("punct", "|"):
            if self.accept("name", "where"):
                while True:
                    path = self.field()
                    op = (self.take("op").text if not self.accept("name", "startswith", "contains")
                          else self.tokens[self.index - 1].text.lower())
                    out.conditions.append(Condition(path, op, self.string()))
                    if not self.accept("name", "and"):
                        break
            elif self.accept("name", "order", "sort"):
                self.take("name", "by")
                while True:
                    path = self.field()
                    descending = not self.accept("name", "asc")
                    if descending:
                        self.accept("name", "desc")
                    out.order.append((path, descending))
                    if not self.accept("punct", ","):
                        break
            elif self.accept("name", "take", "limit"):
                out.limit = int(self.take("number").text)
            else:
                raise self.fail()
        if self.peek() is not None:
            raise self.fail()
        return out


def parse(text: str) -> GraphQuery:
    """Parse ``text``; raises :class:`GraphQueryError` for anything outside the subset."""
    return _Parser(text).query()
