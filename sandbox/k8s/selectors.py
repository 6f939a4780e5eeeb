"""Label and field selectors with the semantics of k8s.io/apimachinery ``labels`` and ``fields``.

Label selectors (``parse_label_selector``) follow the grammar of ``labels/selector.go``::

    selector    := "" | requirement ("," requirement)*
    requirement := ["!"] KEY
                 | KEY ("=" | "==" | "!=") [VALUE]
                 | KEY ("in" | "notin") "(" [VALUE ("," VALUE)*] ")"
                 | KEY (">" | "<") INTEGER

Whitespace between tokens is ignored. Keys must be qualified names (``[prefix/]name``), values
valid label values; ``a=`` means "a is present with the empty value". ``in``/``notin`` are keywords
only where an operator is expected, so a label *named* ``in`` is fine. ``>``/``<`` compare the label
value as a base-10 int64 and are part of the real grammar even if rarely used.

Matching: ``a!=b`` and ``a notin (...)`` also match objects WITHOUT label ``a``; ``a=b``/``in``
require it; ``>``/``<`` require it to hold an integer.

Error messages are the parser's own, e.g.
``unable to parse requirement: found '', expected: ',' or ')'`` or
``found '=', expected: !, identifier, or 'end of string'``; the server maps ``SelectorError`` to
400 BadRequest.

``label_selector_from_object`` converts a metav1.LabelSelector dict (LabelSelectorAsSelector):
``None`` matches NOTHING, ``{}`` (no matchLabels, no matchExpressions) matches EVERYTHING --
NetworkPolicy ``podSelector: {}`` selects all pods. Callers with other conventions (e.g. Terway
PodNetworking: neither selector set => nothing) handle that before calling.

Field selectors (``parse_field_selector``) follow ``fields/selector.go``: comma-separated terms
``path=value``, ``path==value`` or ``path!=value``; ``\\,``, ``\\=`` and ``\\\\`` escape inside values;
whitespace is NOT trimmed (as in Go). Which paths a resource supports is the server's decision: see
``FieldSelector.fields()``, ``FieldSelector.check_supported()`` and ``SUPPORTED_FIELDS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sandbox.k8s import names

__all__ = [
    "SelectorError",
    "Requirement",
    "LabelSelector",
    "parse_label_selector",
    "label_selector_from_object",
    "FieldTerm",
    "FieldSelector",
    "parse_field_selector",
    "SUPPORTED_FIELDS",
    "supported_fields",
]


class SelectorError(ValueError):
    """A selector that the apiserver would reject with 400 BadRequest; ``str()`` is its message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Label selectors
# ---------------------------------------------------------------------------------------------

# Operators, spelled like k8s.io/apimachinery/pkg/selection.
DOES_NOT_EXIST = "!"
EQUALS = "="
DOUBLE_EQUALS = "=="
IN = "in"
NOT_EQUALS = "!="
NOT_IN = "notin"
EXISTS = "exists"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_OPERATORS = (DOES_NOT_EXIST, EQUALS, DOUBLE_EQUALS, IN, NOT_EQUALS, NOT_IN, EXISTS, GREATER_THAN, LESS_THAN)

_INT64 = re.compile(r"[+-]?[0-9]+")


def _parse_int64(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64) or None."""
    if not _INT64.fullmatch(text):
        return None
    value = int(text)
    if not -(2**63) <= value < 2**63:
        return None
    return value


def _go_string_slice(values: Iterable[str]) -> str:
    """%#v of a []string, as field.Invalid prints it."""
    return "[]string{" + ", ".join(_go_quote(v) for v in values) + "}"


def _go_quote(value: str) -> str:
    """Go's %q for the strings we meet (printable text plus the common escapes)."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _invalid(field: str, value: Any, detail: str) -> str:
    shown = _go_quote(value) if isinstance(value, str) else _go_string_slice(value)
    return f"{field}: Invalid value: {shown}: {detail}"


def _aggregate(errors: list[str]) -> str:
    """utilerrors.Aggregate.Error(): one message alone, several as ``[a, b]``."""
    if len(errors) == 1:
        return errors[0]
    return "[" + ", ".join(errors) + "]"


def _key_error(key: str, field: str) -> str | None:
    errs = names.qualified_name(key)
    return _invalid(field, key, "; ".join(errs)) if errs else None


def _value_error(key: str, value: str, field: str) -> str | None:
    errs = names.label_value(value)
    return _invalid(f"{field}[{key}]", value, "; ".join(errs)) if errs else None


@dataclass(frozen=True)
class Requirement:
    """One label requirement; build it with ``Requirement.new`` to get the apiserver's validation."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    @classmethod
    def new(cls, key: str, operator: str, values: Iterable[str] = (), *, path: str = "") -> "Requirement":
        """labels.NewRequirement: validate and sort the values; raise ``SelectorError``."""
        vals = [v for v in values]
        prefix = f"{path}." if path else ""
        errs = []
        err = _key_error(key, prefix + "key")
        if err:
            errs.append(err)
        values_field = prefix + "values"
        if operator in (IN, NOT_IN):
            if not vals:
                errs.append(_invalid(values_field, vals, "for 'in', 'notin' operators, values set can't be empty"))
        elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
            if len(vals) != 1:
                errs.append(_invalid(values_field, vals, "exact-match compatibility requires one single value"))
        elif operator in (EXISTS, DOES_NOT_EXIST):
            if vals:
                errs.append(_invalid(values_field, vals, "values set must be empty for exists and does not exist"))
        elif operator in (GREATER_THAN, LESS_THAN):
            if len(vals) != 1:
                errs.append(_invalid(values_field, vals, "for 'Gt', 'Lt' operators, exactly one value is required"))
            for i, v in enumerate(vals):
                if _parse_int64(v) is None:
                    errs.append(_invalid(f"{values_field}[{i}]", v,
                                         "for 'Gt', 'Lt' operators, the value must be an integer"))
        else:
            supported = ", ".join(_go_quote(op) for op in _OPERATORS)
            errs.append(f"{prefix}operator: Unsupported value: {_go_quote(str(operator))}: "
                        f"supported values: {supported}")
        for i, v in enumerate(vals):
            err = _value_error(key, v, f"{values_field}[{i}]")
            if err:
                errs.append(err)
        if errs:
            raise SelectorError(_aggregate(errs))
        return cls(key, operator, tuple(sorted(set(vals))) if operator in (IN, NOT_IN) else tuple(vals))

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        has = self.key in labels
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return has and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return not has or labels[self.key] not in self.values
        if op == EXISTS:
            return has
        if op == DOES_NOT_EXIST:
            return not has
        if op in (GREATER_THAN, LESS_THAN):
            if not has or len(self.values) != 1:
                return False
            have = _parse_int64(str(labels[self.key]))
            want = _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def to_string(self) -> str:
        """Requirement.String(), e.g. ``env in (prod,uat)``, ``!legacy``, ``tier!=db``."""
        op = self.operator
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op == EXISTS:
            return self.key
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({','.join(self.values)})"
        symbol = {EQUALS: "=", DOUBLE_EQUALS: "==", NOT_EQUALS: "!=", GREATER_THAN: ">", LESS_THAN: "<"}[op]
        return f"{self.key}{symbol}{self.values[0] if self.values else ''}"

    __str__ = to_string


@dataclass(frozen=True)
class LabelSelector:
    """A conjunction of requirements. ``nothing=True`` is the selector that matches no object
    (what a nil metav1.LabelSelector converts to); an empty requirement list matches everything."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    @classmethod
    def everything(cls) -> "LabelSelector":
        return cls(())

    @classmethod
    def match_nothing(cls) -> "LabelSelector":
        return cls((), nothing=True)

    @property
    def empty(self) -> bool:
        """True for the match-everything selector (labels.Selector.Empty())."""
        return not self.nothing and not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def to_string(self) -> str:
        """Canonical text: requirements sorted by key, joined with ','. ``""`` for everything/nothing
        (as in Go); ``parse_label_selector(s.to_string())`` gives back an equal selector."""
        return ",".join(r.to_string() for r in self.requirements)

    __str__ = to_string


def _sorted_requirements(reqs: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted(reqs, key=lambda r: r.key))


# --- lexer -----------------------------------------------------------------------------------

_T_END = "end"
_T_CLOSE = ")"
_T_COMMA = ","
_T_NOT = "!"
_T_DEQ = "=="
_T_EQ = "="
_T_GT = ">"
_T_ID = "identifier"
_T_IN = "in"
_T_LT = "<"
_T_NEQ = "!="
_T_NOTIN = "notin"
_T_OPEN = "("

_SPECIAL = {"!": _T_NOT, "!=": _T_NEQ, "(": _T_OPEN, ")": _T_CLOSE, ",": _T_COMMA, "=": _T_EQ, "==": _T_DEQ,
            ">": _T_GT, "<": _T_LT}
_KEYWORDS = {"in": _T_IN, "notin": _T_NOTIN}
_SPECIAL_CHARS = set("=!(),><")
_WHITESPACE = set(" \t\r\n")


def _lex(text: str) -> list[tuple[str, str]]:
    tokens = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append((_T_END, ""))
            return tokens
        ch = text[i]
        if ch in _SPECIAL_CHARS:
            # Longest run of special characters that is a known symbol (lexer.scanSpecialSymbol).
            buf, last, j = "", None, i
            while j < n and text[j] in _SPECIAL_CHARS:
                buf += text[j]
                if buf in _SPECIAL:
                    last = (_SPECIAL[buf], buf)
                    j += 1
                elif last is not None:
                    break
                else:
                    j += 1
            assert last is not None  # every special character is a token on its own
            tokens.append(last)
            i += len(last[1])
            continue
        j = i
        while j < n and text[j] not in _WHITESPACE and text[j] not in _SPECIAL_CHARS:
            j += 1
        word = text[i:j]
        tokens.append((_KEYWORDS.get(word, _T_ID), word))
        i = j


class _Parser:
    """Recursive-descent parser mirroring labels.Parser (contexts KeyAndOperator / Values)."""

    def __init__(self, text: str):
        self.tokens = _lex(text)
        self.pos = 0

    def _tok(self, values_context: bool) -> tuple[str, str]:
        tok, lit = self.tokens[min(self.pos, len(self.tokens) - 1)]
        if values_context and tok in (_T_IN, _T_NOTIN):
            tok = _T_ID
        return tok, lit

    def lookahead(self, values_context: bool = True) -> tuple[str, str]:
        return self._tok(values_context)

    def consume(self, values_context: bool = True) -> tuple[str, str]:
        tok = self._tok(values_context)
        self.pos += 1
        return tok

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_T_ID, _T_NOT):
                try:
                    reqs.append(self.parse_requirement())
                except SelectorError as err:
                    raise SelectorError(f"unable to parse requirement: {err}") from None
                tok, lit = self.consume()
                if tok == _T_END:
                    return reqs
                if tok == _T_COMMA:
                    tok2, lit2 = self.lookahead()
                    if tok2 not in (_T_ID, _T_NOT):
                        raise SelectorError(f"found '{lit2}', expected: identifier after ','")
                    continue
                raise SelectorError(f"found '{lit}', expected: ',' or 'end of string'")
            if tok == _T_END:
                return reqs
            raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return Requirement.new(key, operator, [])
        operator = self.parse_operator()
        if operator in (IN, NOT_IN):
            values = self.parse_values()
        else:
            values = self.parse_exact_value()
        return Requirement.new(key, operator, sorted(values))

    def parse_key_and_infer_operator(self) -> tuple[str, str]:
        operator = ""
        tok, lit = self.consume()
        if tok == _T_NOT:
            operator = DOES_NOT_EXIST
            tok, lit = self.consume()
        if tok != _T_ID:
            raise SelectorError(f"found '{lit}', expected: identifier")
        err = _key_error(lit, "<nil>")
        if err:
            raise SelectorError(err)
        nxt, _ = self.lookahead()
        if nxt in (_T_END, _T_COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return lit, operator

    def parse_operator(self) -> str:
        tok, lit = self.consume(values_context=False)
        ops = {_T_IN: IN, _T_EQ: EQUALS, _T_DEQ: DOUBLE_EQUALS, _T_GT: GREATER_THAN, _T_LT: LESS_THAN,
               _T_NOTIN: NOT_IN, _T_NEQ: NOT_EQUALS}
        if tok in ops:
            return ops[tok]
        expected = ", ".join(["in", "notin", "=", "==", "!=", "gt", "lt"])
        raise SelectorError(f"found '{lit}', expected: {expected}")

    def parse_values(self) -> set[str]:
        tok, lit = self.consume()
        if tok != _T_OPEN:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_T_ID, _T_COMMA):
            values = self.parse_identifiers_list()
            tok, lit = self.consume()
            if tok != _T_CLOSE:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return values
        if tok == _T_CLOSE:
            # "a in ()" is accepted by the real parser and means the single empty value.
            self.consume()
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        values: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _T_ID:
                values.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _T_COMMA:
                    continue
                if tok2 == _T_CLOSE:
                    return values
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _T_COMMA:  # "(," / ",," / ",)" all stand for the empty value
                if not values:
                    values.add("")
                tok2, _ = self.lookahead()
                if tok2 == _T_CLOSE:
                    values.add("")
                    return values
                if tok2 == _T_COMMA:
                    self.consume()
                    values.add("")
                continue
            raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        tok, _ = self.lookahead()
        if tok in (_T_END, _T_COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _T_ID:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


def parse_label_selector(text: str | None) -> LabelSelector:
    """labels.Parse: ``""`` (or None) matches everything. Raises ``SelectorError``."""
    if text is None:
        return LabelSelector.everything()
    return LabelSelector(_sorted_requirements(_Parser(text).parse()))


_LABEL_SELECTOR_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def label_selector_from_object(obj: Mapping[str, Any] | None) -> LabelSelector:
    """metav1.LabelSelectorAsSelector.

    ``None`` -> matches nothing; ``{}`` (or both parts empty) -> matches everything. Raises
    ``SelectorError`` for invalid keys/values, an unknown operator (``"Foo" is not a valid label
    selector operator``), In/NotIn without values, or Exists/DoesNotExist with values.
    """
    if obj is None:
        return LabelSelector.match_nothing()
    if not isinstance(obj, Mapping):
        raise SelectorError(f"invalid label selector: expected an object, got {type(obj).__name__}")
    match_labels = obj.get("matchLabels") or {}
    match_expressions = obj.get("matchExpressions") or []
    if not isinstance(match_labels, Mapping):
        raise SelectorError("invalid label selector: matchLabels must be an object")
    if not isinstance(match_expressions, list):
        raise SelectorError("invalid label selector: matchExpressions must be a list")
    if not match_labels and not match_expressions:
        return LabelSelector.everything()
    reqs = []
    for key, value in match_labels.items():
        if not isinstance(value, str):
            raise SelectorError(f"invalid label selector: matchLabels[{key}] must be a string")
        reqs.append(Requirement.new(key, EQUALS, [value]))
    for i, expr in enumerate(match_expressions):
        if not isinstance(expr, Mapping):
            raise SelectorError(f"invalid label selector: matchExpressions[{i}] must be an object")
        op = expr.get("operator")
        if op not in _LABEL_SELECTOR_OPERATORS:
            shown = _go_quote(str(op if op is not None else ""))
            raise SelectorError(f"{shown} is not a valid label selector operator")
        values = expr.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SelectorError(f"invalid label selector: matchExpressions[{i}].values must be a list of strings")
        reqs.append(Requirement.new(str(expr.get("key", "")), _LABEL_SELECTOR_OPERATORS[op], values))
    return LabelSelector(_sorted_requirements(reqs))


# ---------------------------------------------------------------------------------------------
# Field selectors
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldTerm:
    field: str
    operator: str  # "=" or "!=" ("==" is read as "=", as in Go)
    value: str

    def to_string(self) -> str:
        return f"{self.field}{'!=' if self.operator == '!=' else '='}{_escape_field_value(self.value)}"


def _escape_field_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_field_value(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out, in_slash = [], False
    for ch in value:
        if in_slash:
            if ch in "\\,=":
                out.append(ch)
            else:
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{ch}")
            in_slash = False
            continue
        if ch == "\\":
            in_slash = True
        elif ch in ",=":
            raise SelectorError(f"invalid field selector: unescaped character {ch}")
        else:
            out.append(ch)
    if in_slash:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_field_terms(text: str) -> list[str]:
    if not text:
        return []
    terms, start, in_slash = [], 0, False
    for i, ch in enumerate(text):
        if in_slash:
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_field_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        rest = term[i:]
        for op in ("!=", "==", "="):
            if rest.startswith(op):
                return term[:i], op, term[i + len(op):]
    return None


def _field_value_to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resolve_field(obj: Mapping[str, Any], path: str) -> str:
    """The string value of a dotted path in ``obj`` ("" when absent), as field selectors see it."""
    cur: Any = obj
    for part in path.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        else:
            return ""
    if isinstance(cur, (Mapping, list)):
        return ""
    return _field_value_to_string(cur)


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[FieldTerm, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms

    def fields(self) -> set[str]:
        """The field paths the selector refers to (for the server's "supported?" check)."""
        return {t.field for t in self.terms}

    def check_supported(self, allowed: Iterable[str]) -> None:
        """Raise ``SelectorError("field label not supported: x")`` for the first unsupported field."""
        allowed = set(allowed)
        for term in self.terms:
            if term.field not in allowed:
                raise SelectorError(f"field label not supported: {term.field}")

    def requires_exact_match(self, field: str) -> str | None:
        """The value ``field`` must equal (``field=value`` term), else None."""
        for term in self.terms:
            if term.field == field and term.operator == "=":
                return term.value
        return None

    def matches(self, obj: Mapping[str, Any]) -> bool:
        for term in self.terms:
            actual = resolve_field(obj, term.field)
            if (actual == term.value) != (term.operator == "="):
                return False
        return True

    def to_string(self) -> str:
        return ",".join(t.to_string() for t in self.terms)

    __str__ = to_string


def parse_field_selector(text: str | None) -> FieldSelector:
    """fields.ParseSelector. ``""`` matches everything; raises ``SelectorError`` on
    ``invalid selector: '<text>'; can't understand '<term>'`` and bad escapes."""
    if not text:
        return FieldSelector()
    parts = sorted(_split_field_terms(text))
    terms = []
    for part in parts:
        if part == "":
            continue
        split = _split_field_term(part)
        if split is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        terms.append(FieldTerm(lhs, "!=" if op == "!=" else "=", _unescape_field_value(rhs)))
    return FieldSelector(tuple(terms))


_META = ("metadata.name", "metadata.namespace")

SUPPORTED_FIELDS: dict[str, frozenset[str]] = {
    "pods": frozenset(_META + (
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName")),
    "events": frozenset(_META + (
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type")),
    "secrets": frozenset(_META + ("type",)),
    "namespaces": frozenset(_META + ("status.phase",)),
    "nodes": frozenset(_META + ("spec.unschedulable",)),
    "replicationcontrollers": frozenset(_META + ("status.replicas",)),
    "replicasets": frozenset(_META + ("status.replicas",)),
    "jobs": frozenset(_META + ("status.successful",)),
    "persistentvolumes": frozenset(_META + ("name",)),
    "certificatesigningrequests": frozenset(_META + ("spec.signerName",)),
}


def supported_fields(resource: str) -> frozenset[str]:
    """Field-selector paths the real apiserver accepts for ``resource`` (plural); every resource,
    custom resources included, supports ``metadata.name`` and ``metadata.namespace``."""
    return SUPPORTED_FIELDS.get(resource, frozenset(_META))
