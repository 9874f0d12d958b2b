"""OWL 2 DL checks with HermiT (the one owlready2 ships): consistency and unsatisfiable classes.

HermiT's command line is run with class classification alone (``-c``): it checks consistency first,
and the unsatisfiable classes are those it finds equivalent to ``owl:Nothing``. owlready2's
``sync_reasoner`` also classifies the properties and the individuals (``-O -D -I``), which these
checks do not read: on 100k synthetic triples that took 334 s against 12 s for ``-c`` alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Identifier, Node

from szsemi.errors import EngineError
from szsemi.validate.report import Finding

_NOTHING = str(OWL.Nothing)
# Up to this many triples HermiT runs with the JVM's quick compiler only: measured on 3.8k to 100k
# triples, as fast or faster and with a third to a half less CPU (docs/performance.md); above, the
# JVM's defaults, whose optimising compiler may pay back on longer runs.
QUICK_JIT_UP_TO = 100_000
_STACK_FRAME = re.compile(r"\s+(at \S+\(|\.\.\. \d+ more)")
_EQUIVALENT = re.compile(r"^EquivalentClasses\((.*)\)\s*$", re.MULTILINE)
_IRI = re.compile(r"<([^>]*)>")


def owl_findings(graph: rdflib.Graph) -> list[Finding]:
    """Run HermiT on ``graph`` (ontology and data together) and return what it finds."""
    with tempfile.TemporaryDirectory(prefix="szsemi-owl-") as tmp:
        unsatisfiable = _reason(graph, Path(tmp) / "graph.nt")
    if unsatisfiable is None:
        return [_inconsistency(graph)]
    return [_unsatisfiable(graph, iri) for iri in sorted(unsatisfiable)]


def _reason(graph: rdflib.Graph, path: Path) -> set[str] | None:
    """The IRIs of the unsatisfiable classes, or None when the ontology is inconsistent."""
    import owlready2  # which Java to run, and how much memory it may take, are owlready2's settings

    java = owlready2.JAVA_EXE
    if shutil.which(java) is None:
        raise EngineError(f"the OWL check needs Java to run HermiT, and {java!r} is not on the PATH")
    if (None, OWL.imports, None) in graph:
        # The graph already holds everything; HermiT would try to fetch the imports.
        graph = _without_imports(graph)
    graph.serialize(path, format="nt", encoding="utf-8")
    with resources.as_file(resources.files("owlready2") / "hermit") as hermit:
        command = [
            java,
            f"-Xmx{owlready2.reasoning.JAVA_MEMORY}M",
            *(["-XX:TieredStopAtLevel=1"] if len(graph) <= QUICK_JIT_UP_TO else []),
            "-cp",
            os.pathsep.join([str(hermit), str(hermit / "HermiT.jar")]),
            "org.semanticweb.HermiT.cli.CommandLine",
            "-c",
            # Dates and years are not in the OWL 2 datatype map; HermiT would refuse the whole graph.
            "--ignoreUnsupportedDatatypes",
            path.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, check=False)
        except OSError as e:
            raise EngineError(f"HermiT failed: {e}") from e
    output = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace") + "\n" + output
        if "Inconsistent ontology" in said:
            return None
        raise EngineError(f"HermiT failed: {_useful(said)}")
    return {iri for line in _EQUIVALENT.findall(output) if _NOTHING in line for iri in _IRI.findall(line)} - {_NOTHING}


def _without_imports(graph: rdflib.Graph) -> rdflib.Graph:
    copy = rdflib.Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            copy.add(triple)
    return copy


def _useful(text: str, limit: int = 2000) -> str:
    """The reasoner's output without Java stack frames, cut to ``limit`` characters."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip() and not _STACK_FRAME.match(ln)]
    return "\n".join(lines)[:limit] or "(no output)"


def _inconsistency(graph: rdflib.Graph) -> Finding:
    clashes = _disjoint_clashes(graph)
    if not clashes:
        return Finding(
            stage="owl",
            severity="Violation",
            component="inconsistent",
            message="The ontology and data are inconsistent: no interpretation satisfies "
            "them all. Look for individuals typed in disjoint classes, "
            "functional or cardinality restrictions with too many values, "
            "literals outside a property's rdfs:range datatype (a language-tagged "
            "string is not an xsd:string), and owl:sameAs/owl:differentFrom "
            "contradictions.",
        )
    node, c1, c2 = clashes[0]
    more = (
        ""
        if len(clashes) == 1
        else (
            f" Other clashes: {', '.join(f'{x.n3()} ({a.n3()}, {b.n3()})' for x, a, b in clashes[1:6])}"
            + (" ..." if len(clashes) > 6 else "")
            + "."
        )
    )
    return Finding(
        stage="owl",
        severity="Violation",
        focus=node.n3(),
        component="owl:disjointWith",
        message=f"The ontology and data are inconsistent: {node.n3()} is an instance of "
        f"{c1.n3()} and of {c2.n3()}, which are declared disjoint.{more}",
    )


def _disjoint_clashes(graph: rdflib.Graph) -> list[tuple[Identifier, Identifier, Identifier]]:
    """(individual, class, class) for individuals typed, via rdfs:subClassOf*, in disjoint classes."""
    pairs: set[tuple[Node, Node]] = set(graph.subject_objects(OWL.disjointWith))
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(axiom, OWL.members):
            classes = list(graph.items(members))
            pairs.update((a, b) for i, a in enumerate(classes) for b in classes[i + 1 :])
    clashes: set[tuple[Identifier, Identifier, Identifier]] = set()
    for c1, c2 in pairs:
        if not (isinstance(c1, Identifier) and isinstance(c2, Identifier)):
            continue  # a parsed graph's nodes are all Identifiers (IRIs, blank nodes, literals), which sort
        both = _instances(graph, c1) & _instances(graph, c2)
        low, high = sorted((c1, c2))
        clashes.update((x, low, high) for x in both)
    return sorted(clashes)


def _instances(graph: rdflib.Graph, cls: Node) -> set[Identifier]:
    return {
        x
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls)
        for x in graph.subjects(RDF.type, sub)
        if isinstance(x, Identifier)
    }


def _unsatisfiable(graph: rdflib.Graph, iri: str) -> Finding:
    node = rdflib.URIRef(iri)
    supers = sorted(s.n3() for s in graph.objects(node, RDFS.subClassOf) if isinstance(s, rdflib.URIRef))
    hint = f" (asserted superclasses: {', '.join(supers)})" if supers else ""
    return Finding(
        stage="owl",
        severity="Violation",
        focus=node.n3(),
        component="owl:Nothing",
        message=f"{node.n3()} is unsatisfiable: it can have no instances. Look for "
        f"disjointness axioms between its superclasses{hint} and for "
        "contradictory restrictions on it.",
    )
