"""The canonical, diff-friendly form of a data file: rdflib's longturtle, with two additions.

A file's leading comment block is kept (longturtle drops comments), blank nodes are put in a
canonical order (longturtle orders them by their random labels; nested thousands deep, by the
tree hash of ``szsemi.graph.canonical``), and IRIs under the instance
namespace are written relative to a ``BASE`` line. A result other than the text it came from is
checked to parse back to the same graph before anyone writes it.

>>> text = '# About x.\\n@prefix szo: <https://w3id.org/szsemi/ontology#> .\\n'
>>> text += '<https://w3id.org/szsemi/id/a/b> szo:amount 1 .\\n'
>>> print(format_turtle(text), end="")
# About x.
<BLANKLINE>
BASE <https://w3id.org/szsemi/id/>
PREFIX szo: <https://w3id.org/szsemi/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
<BLANKLINE>
<a/b>
    szo:amount 1 ;
.
"""

from __future__ import annotations

import io
import re
import sys
import threading
from collections.abc import Callable

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from szsemi.errors import InputError
from szsemi.graph import canonical
from szsemi.graph.guards import nesting_depth, too_big
from szsemi.graph.namespaces import PREFIXES

BASE = PREFIXES["sz"]
_XSD_STRING = PREFIXES["xsd"] + "string"
_OWN_IRI = re.compile(r"<" + re.escape(BASE) + r"([^>\s]+)>")


def leading_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n\n" if lines else ""


MAX_DEPTH = 20_000  # rdflib's parser and writer recurse per level: run in a thread with a deep stack
NEST_CUT = 100  # [ ] nested deeper are cut into labelled blank nodes: see _CutLongTurtle
_FRAMES_PER_LEVEL = 12  # Python frames rdflib's Turtle parser and longturtle writer use per level
_STACK = 512 << 20  # address space only: the pages a shallow file never touches cost nothing


def format_turtle(text: str, name: str = "<string>") -> str:
    """``text`` in canonical form; raises InputError if it does not parse.

    Oxigraph reads it first, so a file is refused here for the same reasons (and with the same
    file:line:column) as by every other command. Nesting deeper than :data:`MAX_DEPTH` is refused;
    the other commands read such files as they are.
    """
    dataset = _check_with_oxigraph(text, name)
    data = text.encode("utf-8")
    depth, where = nesting_depth(data, turtle=True)
    if depth > MAX_DEPTH:
        raise InputError(
            f"nested {depth} levels deep; szsemi format rewrites Turtle nested at most "
            f"{MAX_DEPTH:,} levels (the other commands read it as it is)",
            path=name,
            line=data.count(b"\n", 0, where) + 1,
        )
    return _deep(lambda: _format(text, name, dataset), depth)


def _format(text: str, name: str, dataset: ox.Dataset) -> str:
    # Canonical blank-node labels (content hashes) fix the order longturtle writes them in: rdflib's
    # own, unless their work would explode (deep nesting), where szsemi.graph.canonical's are used.
    labelled = canonical.canonicalize_over_bound(dataset, name)
    if labelled is None:
        graph = rdflib.Graph()
        graph += to_canonical_graph(_parse(text, name))
    else:
        graph = _to_rdflib(labelled, text)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    out = io.BytesIO()
    _CutLongTurtle(graph).serialize(out, base=BASE, encoding="utf-8")  # type: ignore[no-untyped-call]
    body = out.getvalue().decode("utf-8")
    body = _OWN_IRI.sub(r"<\1>", body).strip() + "\n"
    result = leading_comments(text) + body
    if result == text:  # already in canonical form: the same text is the same graph, nothing to check
        return result
    if labelled is None:
        same = isomorphic(_parse(result, name), graph)
    else:  # both sides in the same canonical labelling: isomorphic exactly when equal
        again = canonical.canonicalize(_check_with_oxigraph(result, name), name)
        same = _lines(again) == _lines(labelled)
    if not same:
        raise InputError("formatting would change the graph; file left as it is", path=name)
    return result


class _CutLongTurtle(LongTurtleSerializer):
    """longturtle, except that ``[ ]`` nested :data:`NEST_CUT` levels deep is written as a labelled
    blank node, whose own statements follow at the top level. longturtle indents every level, so a
    file nested 10,000 deep would otherwise take about 1.2 GB; cut, it stays within a few times the
    input. Files of ordinary depth are written exactly as by longturtle.
    """

    def reset(self) -> None:
        super().reset()  # type: ignore[no-untyped-call]  # rdflib's longturtle is untyped
        self._nest = 0
        self._lists: dict[rdflib.term.Node, bool] = {}

    def isValidList(self, l_: rdflib.term.Node) -> bool:  # noqa: N802  # rdflib's name
        # asked two or three times per node, and the graph does not change while it is written
        known = self._lists.get(l_)
        if known is None:
            known = self._lists[l_] = bool(super().isValidList(l_))  # type: ignore[no-untyped-call]
        return known

    def p_squared(self, node: rdflib.term.Node, position: object) -> bool:
        is_list = self.isValidList(node)
        if self._nest >= NEST_CUT and isinstance(node, rdflib.BNode) and not is_list:
            return False  # longturtle then writes the node's label, and the node later as a subject
        self._nest += 1
        try:
            return bool(super().p_squared(node, position))  # type: ignore[no-untyped-call]
        finally:
            self._nest -= 1


def _deep(work: Callable[[], str], depth: int) -> str:
    """``work()`` in a thread with a stack and recursion limit for ``depth`` levels of rdflib's
    recursion; its exception, if any, raised here."""
    result: list[str] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as e:  # handed to the caller's thread
            failure.append(e)

    limit = sys.getrecursionlimit()
    size = threading.stack_size()
    sys.setrecursionlimit(max(limit, _FRAMES_PER_LEVEL * depth + 1_000))
    try:
        threading.stack_size(_STACK)
        thread = threading.Thread(target=run, name="szsemi-format")
        threading.stack_size(size)
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    if failure:
        raise failure[0]
    return result[0]


def _lines(dataset: ox.Dataset) -> set[bytes]:
    return set((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines())


_TAG = re.compile(r"[\"']@([A-Za-z]+(?:-[A-Za-z0-9]+)*)")


def _to_rdflib(dataset: ox.Dataset, text: str) -> rdflib.Graph:
    """The statements as an rdflib graph, blank-node labels kept, literals as rdflib's Turtle parser
    makes them, and language tags in the case the file writes them (Oxigraph lowercases them)."""
    tags = {tag.lower(): tag for tag in _TAG.findall(text)}

    def term(t: object) -> rdflib.term.Node:
        if isinstance(t, ox.NamedNode):
            return rdflib.URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return rdflib.Literal(t.value, lang=tags.get(t.language, t.language))
            if t.datatype.value == _XSD_STRING:
                return rdflib.Literal(t.value)
            return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
        raise InputError(f"szsemi format cannot write {t}")

    graph = rdflib.Graph()
    for q in dataset:
        graph.add((term(q.subject), term(q.predicate), term(q.object)))
    return graph


def _check_with_oxigraph(text: str, name: str) -> ox.Dataset:
    from szsemi.graph.load import parse_error

    try:
        return ox.Dataset(ox.parse(io.BytesIO(text.encode("utf-8")), format=ox.RdfFormat.TURTLE))
    except SyntaxError as e:
        raise parse_error(e, name) from None
    except MemoryError as e:
        raise (too_big(e, name) or e) from None


def _parse(text: str, name: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(data=text, format="turtle")
    except Exception as e:  # rdflib raises several parser-specific types
        raise InputError(f"does not parse as Turtle: {e}", path=name) from None
