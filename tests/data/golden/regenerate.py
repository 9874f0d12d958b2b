"""Write the golden results of the stored queries: ``python tests/data/golden/regenerate.py``.

One file per case, run on the embedded graph (the shipped ontology and data):

* every stored query with its defaults: ``<query>.srj`` (SELECT, ASK) or ``<query>.nt`` (CONSTRUCT,
  DESCRIBE);
* the extra cases of ``cases.json`` (a query with non-default parameters): ``<case>.srj`` / ``.nt``.

Formats, chosen so that a diff of a golden file reads as a change of answer:

* ``.srj`` is SPARQL 1.1 Query Results JSON, one binding per line, rows in the query's own order
  (every stored SELECT has a total ORDER BY). Blank nodes in rows are renamed ``b0``, ``b1`` ... in
  order of first appearance.
* ``.nt`` is N-Triples, one triple per line, sorted, blank nodes renamed by rdflib's canonical
  labelling (``rdflib.compare.to_canonical_graph``), so the file is the same whatever labels the
  engine chose. The tests compare such graphs by isomorphism, not text.

Run it after a deliberate change of the data or of a query, then read the diff and check every
changed answer against the data and the source report before committing it: a golden file that
records a wrong answer is a defect, not a test. With ``--check`` it writes nothing and exits 1 when
a golden file is missing, stale or different.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent


def cases() -> dict[str, tuple[str, dict]]:
    """Golden file stem -> (query name, parameters): every query's defaults, then cases.json."""
    from szsemi.query.catalogue import load_catalogue

    found = {name: (name, {}) for name in load_catalogue()}
    extra = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    for stem, case in extra["cases"].items():
        if stem in found:
            raise SystemExit(f"cases.json: {stem!r} clashes with a stored query's default case")
        found[stem] = (case["query"], case.get("params", {}))
    return found


def srj_term(term, blanks: dict) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": blanks.setdefault(term.value, f"b{len(blanks)}")}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def golden_text(result) -> tuple[str, str]:
    """(suffix, file text) for a :class:`szsemi.query.engines.Result`."""
    if result.form == "ASK":
        return ".srj", json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    if result.form == "SELECT":
        blanks: dict = {}
        rows = [json.dumps({v: srj_term(row[v], blanks) for v in result.variables if v in row},
                           ensure_ascii=False) for row in result.rows]
        head = json.dumps({"vars": result.variables}, ensure_ascii=False)
        body = ",\n".join(rows)
        return ".srj", (f'{{"head": {head},\n "results": {{"bindings": [\n'
                        f'{body}{chr(10) if rows else ""}]}}}}\n')
    return ".nt", canonical_ntriples(result.triples)


def canonical_ntriples(triples) -> str:
    """Sorted N-Triples with blank nodes relabelled canonically (rdflib's RGDA1 hashing)."""
    import rdflib
    from rdflib.compare import to_canonical_graph

    graph = rdflib.Graph()
    graph.parse(data="".join(f"{t} .\n" for t in triples), format="nt")
    lines = to_canonical_graph(graph).serialize(format="nt").splitlines()
    return "".join(sorted(line + "\n" for line in lines if line.strip()))


def main(argv: list[str]) -> int:
    from szsemi.query.catalogue import load_catalogue
    from szsemi.query.engines import LocalEngine
    from szsemi.query.execute import run_stored
    from szsemi.graph.load import load_shipped

    check = "--check" in argv
    catalogue = load_catalogue()
    engine = LocalEngine(load_shipped())
    wanted = {}
    for stem, (name, params) in cases().items():
        suffix, text = golden_text(run_stored(catalogue[name], engine, params))
        wanted[stem + suffix] = text
    present = {p.name for p in HERE.iterdir() if p.suffix in (".srj", ".nt")}
    problems = sorted(f"stale {n}" for n in present - set(wanted))
    for file_name, text in sorted(wanted.items()):
        path = HERE / file_name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        problems.append(f"{'missing' if old is None else 'changed'} {file_name}")
        if not check:
            path.write_text(text, encoding="utf-8")
    if not check:
        for name in present - set(wanted):
            (HERE / name).unlink()
    for line in problems:
        print(("" if check else "wrote/removed: ") + line)
    print(f"{len(wanted)} golden files, {len(problems)} {'differences' if check else 'changes'}")
    return 1 if check and problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
