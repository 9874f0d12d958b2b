"""How to fix a SHACL finding, said from its constraint component, path and value.

Shape messages say what is wrong; engines' default messages rarely say what to do. Each finding of
the SHACL stage gets a ``fix`` line from here.

>>> fix_for("http://www.w3.org/ns/shacl#MinCountConstraintComponent", "<https://w3id.org/szsemi/id/park/x>",
...         "<https://w3id.org/szsemi/ontology#locatedIn>", None)
'add a szo:locatedIn statement to sz:park/x'
"""

from __future__ import annotations

import re

from szsemi.graph.terms import compact

_SH = "http://www.w3.org/ns/shacl#"
_TYPED = re.compile(r'^(".*")\^\^(<[^>]*>)$', re.S)
_XSD_STRING = "<http://www.w3.org/2001/XMLSchema#string>"


def display_term(nt: str | None) -> str:
    """An N-Triples term for people: IRIs and datatypes compacted, ``^^xsd:string`` left out.

    >>> display_term('"2022"^^<http://www.w3.org/2001/XMLSchema#gYear>')
    '"2022"^^xsd:gYear'
    >>> display_term('"x"^^<http://www.w3.org/2001/XMLSchema#string>')
    '"x"'
    """
    if not nt:
        return ""
    m = _TYPED.match(nt)
    if m:
        return m.group(1) if m.group(2) == _XSD_STRING else f"{m.group(1)}^^{compact(m.group(2))}"
    return compact(nt)


_FIXES = {
    "MinCountConstraintComponent": "add a {path} statement to {focus}",
    "MaxCountConstraintComponent": "keep one {path} value on {focus} and remove the others",
    "DatatypeConstraintComponent": "write {value} with the datatype the shape asks for (see the message), "
    "or a language tag where it takes rdf:langString",
    "ClassConstraintComponent": "point {path} at an existing node of the required class, or give {value} "
    "that rdf:type (a dangling reference has no type at all)",
    "NodeKindConstraintComponent": "use {value_kind} for {path}",
    "InConstraintComponent": "use one of the values the shape lists instead of {value}",
    "HasValueConstraintComponent": "add the value the shape requires to {path}",
    "PatternConstraintComponent": "rewrite {value} to match the pattern the shape gives",
    "MinInclusiveConstraintComponent": "use a value at or above the shape's minimum instead of {value}",
    "MaxInclusiveConstraintComponent": "use a value at or below the shape's maximum instead of {value}",
    "MinExclusiveConstraintComponent": "use a value above the shape's minimum instead of {value}",
    "MaxExclusiveConstraintComponent": "use a value below the shape's maximum instead of {value}",
    "MinLengthConstraintComponent": "use a longer value than {value}",
    "MaxLengthConstraintComponent": "use a shorter value than {value}",
    "LanguageInConstraintComponent": "tag {value} with one of the languages the shape allows",
    "UniqueLangConstraintComponent": "keep one {path} value per language on {focus}",
    "QualifiedMinCountConstraintComponent": "add a {path} value of the kind the shape asks for "
    "(for labels: in the required language)",
    "QualifiedMaxCountConstraintComponent": "remove {path} values of the kind the shape limits",
    "ClosedConstraintComponent": "remove the {path} statement from {focus}, or use a property its shape allows "
    "(is it misspelt?)",
    "NodeConstraintComponent": "point {path} at a node that meets the referenced shape (for concepts: one "
    "from the right scheme) instead of {value}",
    "OrConstraintComponent": "make {value} meet one of the alternatives the shape lists",
    "XoneConstraintComponent": "give {focus} exactly one of the alternatives the shape lists",
    "AndConstraintComponent": "make {focus} meet every shape the constraint lists",
    "NotConstraintComponent": "change {focus} so that it no longer meets the excluded shape",
    "EqualsConstraintComponent": "make the values of {path} equal to those of the other property",
    "DisjointConstraintComponent": "remove {value}: it may not also be a value of the other property",
    "LessThanConstraintComponent": "make {value} less than the other property's values",
}
# With an inverse path the statements belong to other nodes: they point at the focus node.
_INVERSE_FIXES = {
    "MinCountConstraintComponent": "add a statement <node> {predicate} {focus} to the node that should point at it",
    "MaxCountConstraintComponent": "keep one node that points at {focus} with {predicate} and remove the "
    "others' statements",
}


def fix_for(component: str | None, focus: str | None, path: str | None, value: str | None) -> str | None:
    """A short instruction, or None for components without one."""
    if not component or not component.startswith(_SH):
        return None
    name = component[len(_SH) :]
    inverse = bool(path and path.startswith("^"))
    template = _INVERSE_FIXES.get(name) if inverse else _FIXES.get(name)
    if template is None:
        return None
    return template.format(
        focus=compact(focus) or "the focus node",
        predicate=compact(path[1:]) if path and inverse else "",
        path=display_term(path) if path else "the property",
        value=display_term(value) or "the value",
        value_kind="an IRI" if value and value.startswith('"') else "a literal or IRI as the shape says",
    )
