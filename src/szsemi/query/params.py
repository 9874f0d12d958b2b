"""Query parameters: their declared spec, and turning a given value into a checked RDF term.

Values come as text from the command line or as Python values from the API; either way each one
becomes a pyoxigraph term of the declared type, or a :class:`ParameterError` saying which
parameter, what was given and what is allowed.

>>> minutes = Param("minutes", "integer", minimum=1)
>>> coerce(minutes, "10")
[<Literal value=10 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>]
>>> coerce(Param("park", "iri"), "sz:park/colorful-silicon-valley")[0].value
'https://w3id.org/szsemi/id/park/colorful-silicon-valley'
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, NamedTuple, TypeAlias, TypeGuard

import pyoxigraph as ox

from szsemi.errors import ParameterError
from szsemi.graph.namespaces import PREFIXES, expand

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

XSD = PREFIXES["xsd"]
# A bound parameter value: blank nodes are let in only to be refused with a message (see _has_type).
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
TYPES = ("iri", "string", "langstring", "integer", "decimal", "date", "boolean")
# compiled on first use (re keeps them): most stored queries need one of them or none
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# Schemes whose IRIs have no "//" authority; any other "x:y" is taken for a mistyped prefix (sx:park/a).
_SCHEMES = {"urn", "mailto", "tag", "doi", "did", "data", "geo", "tel", "info", "isbn"}
_ALLOWED = {
    "iri": "an absolute IRI or a prefixed name of the project map (sz:, szo:, ...)",
    "string": "any text",
    "langstring": "text@language-tag, e.g. 坪山区@zh-Hans",
    "integer": "an integer, e.g. 10",
    "decimal": "a decimal number, e.g. 2.5",
    "date": "a date YYYY-MM-DD",
    "boolean": "true or false",
}


# A NamedTuple, not a dataclass: see sparql_syntax.Token.
class Param(NamedTuple):
    """One declared parameter of a stored query (see queries/README.md)."""

    name: str
    type: str
    description: str = ""
    default: tuple[Term, ...] = ()  # the default's terms (empty: no default)
    required: bool = False
    multi: bool = False
    values: tuple[Term, ...] = ()  # allowed terms (empty: any)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    cls: str | None = None  # IRI of the class a given IRI must be an instance of
    lang: str | None = None
    extra: dict[str, object] = {}  # never changed in place; left out of the hash

    def __hash__(self) -> int:
        return hash(self[:-1])

    def allowed(self) -> str:
        """What a value must look like, in words."""
        if self.values:
            return "one of " + ", ".join(_show_term(v) for v in self.values)
        text = _ALLOWED[self.type]
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else f" >= {self.minimum}"
            high = "" if self.maximum is None else f" <= {self.maximum}"
            text += f",{low}{',' if low and high else ''}{high}"
        if self.cls:
            text += f", an instance of <{self.cls}>"
        if self.lang:
            text += f", in language {self.lang!r}"
        return text


def coerce(param: Param, given: object) -> list[Term]:
    """The terms for ``given``: one value, or a list of values when the parameter is multi."""
    items = list(given) if isinstance(given, (list, tuple, set, frozenset)) else [given]
    if not items:  # no VALUES block would be written: the query would silently run unbound
        raise ParameterError(param.name, given, f"at least one value ({param.allowed()})")
    if len(items) > 1 and not param.multi:
        raise ParameterError(param.name, given, f"a single value ({param.allowed()})")
    terms = [_term(param, item) for item in items]
    for term in terms:
        _check_range(param, term, given)
    return terms


def _term(param: Param, value: object) -> Term:
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        term = value
        if not _has_type(param, term):
            raise ParameterError(param.name, _show_term(term), param.allowed())
        return term
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif (isinstance(value, (int, float)) or _is_decimal(value)) and param.type in ("integer", "decimal"):
        value = str(value)
    elif param.type == "date" and _is_date(value):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ParameterError(param.name, value, param.allowed())
    try:
        return _parse(param, value)
    except ValueError:
        raise ParameterError(param.name, value, param.allowed()) from None


def _is_decimal(value: object) -> bool:
    # decimal is imported only where it is needed (a stored query starts faster without it), and a
    # Decimal can only have been made if it was imported
    decimal = sys.modules.get("decimal")
    return decimal is not None and isinstance(value, decimal.Decimal)


def _is_date(value: object) -> TypeGuard[datetime.date]:
    import datetime

    return isinstance(value, datetime.date)


def _parse(param: Param, text: str) -> Term:
    kind = param.type
    if kind == "iri":
        iri = expand(text.strip())
        scheme, colon, rest = iri.partition(":")
        if not colon:
            raise ValueError(iri)
        if iri == text.strip() and not rest.startswith("//") and scheme.lower() not in _SCHEMES:
            raise ValueError(f"{scheme}: is neither a prefix of the project map nor an IRI scheme")
        return ox.NamedNode(iri)  # pyoxigraph checks RFC 3987
    if kind == "string":
        return ox.Literal(text)
    if kind == "langstring":
        body, at, tag = text.rpartition("@")
        if not at:
            if not param.lang:
                raise ValueError(text)
            body, tag = text, param.lang
        return ox.Literal(body, language=tag)
    if kind == "integer":
        if not re.fullmatch(_INTEGER, text.strip()):
            raise ValueError(text)
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        if not re.fullmatch(_DECIMAL, text.strip()):
            raise ValueError(text)
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(text) from None
        return ox.Literal(_canonical_decimal(number), datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "date":
        if not re.fullmatch(_DATE, text.strip()):
            raise ValueError(text)
        import datetime  # here: a stored query without a date parameter does not pay for it

        return ox.Literal(datetime.date.fromisoformat(text.strip()).isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if kind == "boolean":
        word = text.strip().lower()
        if word not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return ox.Literal("true" if word in ("true", "1") else "false", datatype=ox.NamedNode(XSD + "boolean"))
    raise ValueError(kind)


def _canonical_decimal(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0")
        text = text + "0" if text.endswith(".") else text
    else:
        text += ".0"
    return text


def _has_type(param: Param, term: Term) -> bool:
    if param.type == "iri":
        return isinstance(term, ox.NamedNode)
    if not isinstance(term, ox.Literal):
        return False
    if param.type == "langstring":
        return term.language is not None
    datatype = {"string": "string", "integer": "integer", "decimal": "decimal", "date": "date", "boolean": "boolean"}[
        param.type
    ]
    return term.language is None and term.datatype.value == XSD + datatype


def _check_range(param: Param, term: Term, given: object) -> None:
    if param.values and term not in param.values:
        raise ParameterError(param.name, _given(given, term), param.allowed())
    if param.lang and isinstance(term, ox.Literal) and (term.language or "").lower() != param.lang.lower():
        raise ParameterError(param.name, _given(given, term), param.allowed())
    if param.minimum is not None or param.maximum is not None:
        from decimal import Decimal

        number = Decimal(term.value)
        if (param.minimum is not None and number < param.minimum) or (
            param.maximum is not None and number > param.maximum
        ):
            raise ParameterError(param.name, _given(given, term), param.allowed())


def _given(given: object, term: Term) -> object:
    return given if isinstance(given, str) else _show_term(term)


def _show_term(term: Term) -> str:
    if isinstance(term, ox.Literal):
        return term.value if term.language is None else f"{term.value}@{term.language}"
    return str(term)
