"""STIX 2.1 patterns, parsed with the STIX library's own grammar and compiled into plain data.

A pattern such as ``[user-account:account_type = 'linkedin' AND user-account:account_login =
'rachel-li-hr']`` is attacker-adjacent text from outside: it is never evaluated as code. It is
validated by ``stix2patterns`` (the OASIS ANTLR grammar) and parsed into an expression tree by
``stix2.pattern_visitor``; this module walks that tree and keeps only what spycatcher can match
against a profile, as JSON that the store keeps beside the indicator:

    {"and": [...]} | {"or": [...]} |
    {"cmp": "=", "facet": "account_login", "object": "user-account", "path": ["account_login"],
     "values": ["rachel-li-hr"], "neg": false}

Observation operators become boolean ones (``FOLLOWEDBY`` is read as ``AND``: a profile is one
observation, there is no order to check) and qualifiers (``WITHIN``, ``REPEATS``, ``START/STOP``)
are dropped and noted. A scan then only needs this JSON, not the STIX library.

Facets: which profile fact a comparison is about.

| STIX object path                          | facet           | compared with                     |
|-------------------------------------------|-----------------|-----------------------------------|
| ``user-account:user_id``                  | account_id      | profile id, LinkedIn handle       |
| ``user-account:account_login``            | account_login   | LinkedIn handle, profile id       |
| ``user-account:account_type``             | platform        | profile platform                  |
| ``user-account:display_name``             | name            | profile name (fuzzy, weak)        |
| ``email-addr:display_name``               | name            | profile name (fuzzy, weak)        |
| ``url:value``                             | url             | profile URL, listed websites      |
| ``email-addr:value``                      | email           | contact email                     |
| ``domain-name:value``                     | domain          | email domain, website hosts       |
| ``file:hashes.'SHA-256'`` (and artifact)  | sha256          | photo sha256                      |
| ``file:hashes.x_pdq`` (and artifact)      | pdq             | photo PDQ, by Hamming distance    |
| ``artifact:url`` / ``file:name``          | photo_url       | photo URL                         |

**PDQ hashes in STIX.** STIX 2.1 has no PDQ entry in its hash-algorithm vocabulary, and allows
other names in a ``hashes`` dictionary when they are 3-250 ASCII letters, digits, ``-`` or ``_``.
spycatcher writes PDQ hashes under the custom name **``x_pdq``** (the ``x_`` prefix STIX uses for
custom content), as 64 lowercase hex characters in ThreatExchange's bit order, e.g.
``[file:hashes.x_pdq = '<64 hex>']``. On import it also accepts ``x-pdq``, ``pdq`` and ``PDQ``.
A PDQ comparison matches within a Hamming distance (31 bits, Meta's default), not exactly.
"""

from __future__ import annotations

import re
from typing import Any

#: the custom STIX hash name spycatcher writes PDQ hashes under
PDQ_HASH_NAME = "x_pdq"
#: names accepted for a PDQ hash on import (compared case-insensitively)
PDQ_HASH_NAMES = frozenset({"x_pdq", "x-pdq", "pdq"})
_SHA256_NAMES = frozenset({"sha-256", "sha256", "sha_256"})
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")

#: longest pattern accepted (real indicators are a few hundred characters)
MAX_PATTERN_CHARS = 20_000
#: most comparisons in one pattern
MAX_COMPARISONS = 500

FACETS = (
    "account_id",
    "account_login",
    "platform",
    "name",
    "url",
    "email",
    "domain",
    "sha256",
    "pdq",
    "photo_url",
)


class PatternError(ValueError):
    """A pattern that is not valid STIX 2.1, or that spycatcher refuses; ``reason`` says why."""


def facet_for(object_type: str, path: list[str]) -> str | None:
    """The profile facet a STIX object path compares, or None if it says nothing about profiles."""
    p = [c.lower() for c in path]
    if object_type == "user-account" and len(p) == 1:
        return {
            "user_id": "account_id",
            "account_login": "account_login",
            "account_type": "platform",
            "display_name": "name",
        }.get(p[0])
    if object_type == "email-addr" and len(p) == 1:
        return {"value": "email", "display_name": "name"}.get(p[0])
    if object_type == "url" and p == ["value"]:
        return "url"
    if object_type == "domain-name" and p == ["value"]:
        return "domain"
    if object_type in ("file", "artifact"):
        if len(p) == 2 and p[0] == "hashes":
            if p[1] in PDQ_HASH_NAMES:
                return "pdq"
            if p[1] in _SHA256_NAMES:
                return "sha256"
            return None
        if p in (["url"], ["name"]):
            return "photo_url" if p == ["url"] else None
    return None


_ESCAPE = re.compile(r"\\(.)", re.S)


def _unescape(value: Any) -> str:
    """The text of a pattern string literal: the grammar escapes only ``\\'`` and ``\\\\``."""
    return _ESCAPE.sub(r"\1", str(value))


def _constant_values(rhs: Any) -> list[str]:
    from stix2 import patterns as P

    if isinstance(rhs, P.ListConstant):
        return [_one_value(v) for v in rhs.value]
    return [_one_value(rhs)]


def _one_value(c: Any) -> str:
    from stix2 import patterns as P

    if isinstance(c, P.StringConstant) and not c.needs_to_be_quoted:
        return _unescape(c.value)
    return str(getattr(c, "value", c))


def _path_parts(lhs: Any) -> list[str]:
    parts: list[str] = []
    for comp in lhs.property_path:
        parts.append(_unescape(comp.property_name))
        index = getattr(comp, "index", None)
        if index is not None:
            parts.append(f"[{index}]")
    return parts


class _Compiler:
    def __init__(self) -> None:
        self.comparisons = 0
        self.notes: list[str] = []

    def node(self, e: Any) -> dict[str, Any]:
        from stix2 import patterns as P

        if isinstance(e, P._ComparisonExpression):
            return self.comparison(e)
        if isinstance(e, P._BooleanExpression):
            key = "and" if e.operator == "AND" else "or"
            return {key: [self.node(x) for x in e.operands]}
        if isinstance(e, P._CompoundObservationExpression):
            if e.operator == "FOLLOWEDBY":
                self._note("FOLLOWEDBY read as AND (a profile has no order of observations)")
            key = "or" if e.operator == "OR" else "and"
            return {key: [self.node(x) for x in e.operands]}
        if isinstance(e, P.ObservationExpression):
            return self.node(e.operand)
        if isinstance(e, P.ParentheticalExpression):
            return self.node(e.expression)
        if isinstance(e, P.QualifiedObservationExpression):
            self._note(f"qualifier '{e.qualifier}' ignored (it is about time, not profiles)")
            return self.node(e.observation_expression)
        raise PatternError(f"unsupported pattern element {type(e).__name__}")

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def comparison(self, e: Any) -> dict[str, Any]:
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise PatternError(f"pattern has more than {MAX_COMPARISONS} comparisons")
        obj = str(e.lhs.object_type_name)
        path = _path_parts(e.lhs)
        values = _constant_values(e.rhs)
        facet = facet_for(obj, path)
        op = str(e.operator)
        if facet == "pdq":
            for v in values:
                if op in ("=", "IN") and not _HEX64.match(v):
                    raise PatternError(
                        f"{obj}:{'.'.join(path)}: a PDQ hash is 64 hexadecimal characters, "
                        f"got {v[:80]!r}"
                    )
            values = [v.lower() for v in values]
        if facet is not None and op not in ("=", "IN", "LIKE"):
            self._note(f"operator {op} on {obj}:{'.'.join(path)} is not matched against profiles")
            facet = None
        return {
            "cmp": op,
            "object": obj,
            "path": path,
            "facet": facet,
            "values": values,
            "neg": bool(e.negated),
        }


def validate(pattern: str) -> None:
    """Raise :class:`PatternError` unless ``pattern`` is a valid STIX 2.1 pattern."""
    from stix2patterns.validator import run_validator

    if not isinstance(pattern, str) or not pattern.strip():
        raise PatternError("pattern is empty")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternError(f"pattern is longer than {MAX_PATTERN_CHARS} characters")
    errors = run_validator(pattern, stix_version="2.1")
    if errors:
        raise PatternError("; ".join(str(x) for x in errors)[:500])


def compile_pattern(pattern: str, *, validated: bool = False) -> dict[str, Any]:
    """Validate and compile a STIX 2.1 pattern into the JSON form described above.

    Returns ``{"tree": ..., "facets": [...], "notes": [...]}``; ``facets`` lists the profile
    facets the pattern mentions (empty: the indicator is valid but says nothing about profiles,
    e.g. an IP address). ``validated`` skips a second run of the validator when the indicator
    was already validated (each run of the ANTLR grammar costs a few milliseconds).
    """
    if validated:  # the caller ran the grammar's validator already (stix2.parse does)
        if len(pattern) > MAX_PATTERN_CHARS:
            raise PatternError(f"pattern is longer than {MAX_PATTERN_CHARS} characters")
    else:
        validate(pattern)
    from stix2.pattern_visitor import create_pattern_object

    try:
        tree = create_pattern_object(pattern, version="2.1")
    except Exception as exc:  # the library raises ValueError and friends for semantic errors
        raise PatternError(f"pattern cannot be parsed: {exc}"[:500]) from None
    comp = _Compiler()
    compiled = comp.node(tree)
    facets = sorted(_facets(compiled))
    return {"tree": compiled, "facets": facets, "notes": comp.notes}


def _facets(node: dict[str, Any]) -> set[str]:
    if "cmp" in node:
        return {node["facet"]} if node.get("facet") else set()
    out: set[str] = set()
    for child in node.get("and", node.get("or", [])):
        out |= _facets(child)
    return out


def quote(value: str) -> str:
    """A STIX pattern string literal (backslash and quote escaped) for building patterns."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
