"""A small OData `$filter` and `$search` evaluator covering what Werkplek and its tests send.

Supported `$filter`: `startswith(prop,'x')`, `endswith(prop,'x')`, comparisons `eq ne gt ge lt
le` against strings, GUIDs, booleans, null, numbers and timestamps, `prop in ('a','b')`, `and`,
`or`, `not` and parentheses. `prop` may be a path (`onPremisesExtensionAttributes/x`). String
comparisons ignore case, as directory queries do. Anything else is rejected the way Graph
rejects unsupported queries (400 Request_UnsupportedQuery); so are `in` lists of one filter
holding more than MAX_IN_VALUES values together (a client splits them over several requests).

Supported `$search`: `"prop:term"` clauses joined by AND / OR; a clause matches when a word of
the property starts with the term (Graph's tokenised prefix search).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<open>\()|(?P<close>\))|(?P<comma>,)"
    r"|(?P<word>[A-Za-z0-9_.:+\-/@#$]+))"
)
_ORDERINGS = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_COMPARISONS = {"eq", "ne", *_ORDERINGS}
_FUNCTIONS = {"startswith", "endswith"}
# Graph: "the request is limited to 15 expressions in the filter clause" with the in operator.
MAX_IN_VALUES = 15


class UnsupportedQuery(ValueError):
    """The query is malformed or uses something the emulator (like Graph) does not support."""


class _Literal(str):
    """A quoted string literal, kept apart from bare words such as true/null/GUIDs."""


def _tokens(text: str) -> list[str]:
    position, tokens = 0, []
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise UnsupportedQuery(f"Syntax error at position {position} in '{text}'.")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind or 0)
        tokens.append(_Literal(value[1:-1].replace("''", "'")) if kind == "string" else value)
    return tokens


def _is(token: str | None, symbol: str) -> bool:
    """A structural token or keyword (never a quoted literal that happens to spell it)."""
    return token is not None and not isinstance(token, _Literal) and token.lower() == symbol


def _field(record: Record, path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _literal(token: str) -> Any:
    if isinstance(token, _Literal):
        return str(token)
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return int(token)
    except ValueError:
        pass
    try:
        return float(token)
    except ValueError:
        return token  # GUIDs and timestamps are written bare


def _normal(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    left, right = _normal(left), _normal(right)
    if op == "eq":
        return bool(left == right)
    if op == "ne":
        return bool(left != right)
    if left is None or right is None:
        return False
    try:
        return bool(_ORDERINGS[op](left, right))
    except TypeError:
        return False


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.in_values = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and not _is(token, expected)):
            raise UnsupportedQuery(f"Expected '{expected or 'more'}' in filter.")
        self.position += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise UnsupportedQuery(f"Unexpected '{self.peek()}' in filter.")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while _is(self.peek(), "or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while _is(self.peek(), "and"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def negation(self) -> Predicate:
        if _is(self.peek(), "not"):
            self.take()
            inner = self.negation()
            return lambda r: not inner(r)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.take()
        if _is(token, "("):
            inner = self.disjunction()
            self.take(")")
            return inner
        if _is(self.peek(), "("):
            return self.function(token.lower())
        return self.comparison(token)

    def function(self, name: str) -> Predicate:
        if name not in _FUNCTIONS:
            raise UnsupportedQuery(f"Unsupported function '{name}'.")
        self.take("(")
        prop = self.take()
        self.take(",")
        needle = _literal(self.take())
        self.take(")")
        if not isinstance(needle, str):
            raise UnsupportedQuery(f"{name} needs a string argument.")
        folded = needle.casefold()

        def matches(record: Record) -> bool:
            value = _field(record, prop)
            if not isinstance(value, str):
                return False
            text = value.casefold()
            return text.startswith(folded) if name == "startswith" else text.endswith(folded)

        return matches

    def comparison(self, prop: str) -> Predicate:
        op = self.take().lower()
        if op == "in":
            self.take("(")
            values = [_normal(_literal(self.take()))]
            while _is(self.peek(), ","):
                self.take(",")
                values.append(_normal(_literal(self.take())))
            self.take(")")
            self.in_values += len(values)
            if self.in_values > MAX_IN_VALUES:
                raise UnsupportedQuery(
                    "Too many child clauses specified in search filter expression containing "
                    f"'OR' operators: {self.in_values}. Max allowed: {MAX_IN_VALUES}."
                )
            return lambda r: _normal(_field(r, prop)) in values
        if op not in _COMPARISONS:
            raise UnsupportedQuery(f"Unsupported operator '{op}'.")
        value = _literal(self.take())
        return lambda r: _compare(op, _field(r, prop), value)


def parse_filter(text: str) -> Predicate:
    return _Parser(text).parse()


_SEARCH_CLAUSE = re.compile(r'"([^":]+):([^"]*)"')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def parse_search(text: str) -> Predicate:
    """`"displayName:lot" OR "mail:lot"` -> a predicate (AND binds tighter than OR)."""
    groups: list[list[tuple[str, str]]] = [[]]
    rest = text.strip()
    while rest:
        match = _SEARCH_CLAUSE.match(rest)
        if not match:
            raise UnsupportedQuery('Invalid $search: use "property:term" clauses.')
        groups[-1].append((match.group(1).strip(), match.group(2).strip().casefold()))
        rest = rest[match.end() :].strip()
        if rest.startswith("OR "):
            groups.append([])
            rest = rest[3:].strip()
        elif rest.startswith("AND "):
            rest = rest[4:].strip()
        elif rest:
            raise UnsupportedQuery("Invalid $search: clauses are joined by AND or OR.")

    def clause(record: Record, prop: str, term: str) -> bool:
        value = _field(record, prop)
        if not isinstance(value, str):
            return False
        words = [w.casefold() for w in _WORD.findall(value)]
        wanted = [w.casefold() for w in _WORD.findall(term)]
        return all(any(word.startswith(part) for word in words) for part in wanted)

    return lambda r: any(all(clause(r, p, t) for p, t in group) for group in groups if group)
