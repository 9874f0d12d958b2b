"""The OpenAPI 3.1 document of ``/api/queries``, generated from the stored queries' headers.

One path per stored query (the violation checks too), each with its typed parameters: JSON
Schema type and format, default, enum, minimum and maximum, description, and arrays for the
parameters that take several values.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from szsemi import __version__
from szsemi.query.catalogue import StoredQuery
from szsemi.query.params import Param

_SCHEMA = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "langstring": {"type": "string", "pattern": ".+@[A-Za-z]+(-[A-Za-z0-9]+)*$"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}
FORMATS = ("json", "srj", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf")


def _value(param: Param, term: Any) -> Any:
    if isinstance(term, ox.Literal):
        if param.type == "integer":
            return int(term.value)
        if param.type == "decimal":
            return float(term.value)
        if param.type == "boolean":
            return term.value == "true"
        if param.type == "langstring":
            return f"{term.value}@{term.language}"
    return term.value


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of one parameter's value(s)."""
    item: dict[str, Any] = dict(_SCHEMA[param.type])
    if param.values:
        item["enum"] = [_value(param, v) for v in param.values]
    if param.minimum is not None:
        item["minimum"] = int(param.minimum) if param.type == "integer" else float(param.minimum)
    if param.maximum is not None:
        item["maximum"] = int(param.maximum) if param.type == "integer" else float(param.maximum)
    if param.cls:
        item["description"] = f"an instance of <{param.cls}>"
    defaults = [_value(param, t) for t in param.default]
    if param.multi:
        schema: dict[str, Any] = {"type": "array", "items": item}
        if defaults:
            schema["default"] = defaults
        return schema
    if defaults:
        item["default"] = defaults[0]
    return item


def _parameter(param: Param) -> dict[str, Any]:
    text = param.description or f"A {param.type} value."
    text += f" Allowed: {param.allowed()}."
    if param.multi:
        text += " Repeat the parameter for several values."
    out: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": text,
        "schema": param_schema(param),
    }
    if param.multi:
        out.update(style="form", explode=True)
    return out


_ERROR = {
    "description": "The error, saying what was wrong and what is allowed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _operation(query: StoredQuery) -> dict[str, Any]:
    description = query.description or query.summary
    if query.rule:
        description += (
            f"\n\nA check: rows are findings (rule `{query.rule.id}`, severity "
            f"{query.rule.severity}); no rows means the graph passes. {query.rule.message}"
        )
    graph = query.form in ("CONSTRUCT", "DESCRIBE")
    formats = [
        f
        for f in FORMATS
        if (f in ("ttl", "nt", "jsonld", "rdf", "xml", "json")) == graph
        or (not graph and f in ("json", "srj", "xml", "csv", "tsv"))
    ]
    fmt = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The answer's format (else chosen by the Accept header).",
        "schema": {"type": "string", "enum": sorted(set(formats), key=FORMATS.index)},
    }
    ok = (
        {"text/turtle": {}, "application/n-triples": {}, "application/ld+json": {}, "application/rdf+xml": {}}
        if graph
        else {
            "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}},
            "application/sparql-results+json": {},
            "application/sparql-results+xml": {},
            "text/csv": {},
            "text/tab-separated-values": {},
        }
    )
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary,
        "description": description,
        "tags": [query.kind],
        "parameters": [_parameter(p) for p in query.params.values()] + [fmt],
        "responses": {
            "200": {
                "description": f"The {query.form} answer, at most the server's row limit "
                "(headers Szsemi-Result-Rows, Szsemi-Result-Total, Szsemi-Result-Truncated).",
                "content": ok,
            },
            "400": _ERROR,
            "406": _ERROR,
            "503": _ERROR,
        },
    }


def document(catalogue: dict[str, StoredQuery]) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {
        "/api/queries": {
            "get": {
                "operationId": "list_queries",
                "summary": "The catalogue of stored queries.",
                "tags": ["catalogue"],
                "responses": {
                    "200": {
                        "description": "Name, kind, summary and parameters of each stored query.",
                        "content": {"application/json": {}},
                    }
                },
            }
        }
    }
    for name in sorted(catalogue):
        paths[f"/api/queries/{name}"] = {"get": _operation(catalogue[name])}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "szsemi stored queries",
            "version": __version__,
            "description": "The stored SPARQL queries of the Shenzhen semiconductor knowledge graph as a "
            "REST API. Parameters are bound as typed RDF terms, never spliced into the "
            "query text. In JSON answers, every IRI in the rows comes with the source "
            "passages it is derived from.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                        "parameter": {"type": "string"},
                        "given": {"type": "string"},
                        "allowed": {"type": "string"},
                    },
                },
                "Answer": {
                    "type": "object",
                    "required": ["query", "variables", "rows", "returned", "total"],
                    "properties": {
                        "query": {"type": "string"},
                        "parameters": {"type": "object"},
                        "variables": {"type": "array", "items": {"type": "string"}},
                        "rows": {"type": "array", "items": {"type": "object"}},
                        "returned": {"type": "integer"},
                        "total": {"type": "integer"},
                        "truncated": {"type": "boolean"},
                        "sources": {
                            "type": "object",
                            "description": "IRI -> the passages it is derived from",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                        "passages": {"type": "object"},
                    },
                },
            }
        },
    }
