"""Synthetic szsemi data for benchmarks: deterministic by seed, streamed N-Triples, any size.

The data has the shapes of the real graph (parks, groups, firms, listings, districts, plans with
periods, roles and layouts, proximity nodes, money figures with bounds, milestones, clusters,
claims, sources with passages and provenance, identity statuses, labels in English and Chinese)
and passes ``szsemi validate`` against the shipped ontology and shapes. Every IRI lies under
``https://w3id.org/szsemi/id/synthetic/`` and every label says "Synthetic": none of it is a fact.
The only non-synthetic IRIs are the ontology's terms and the concept-scheme IRIs the shapes name.

The graph is written block by block (one synthetic district with its firms, parks, plan...), so a
10M-triple file never needs 10M triples in memory. ``--plant-errors N`` writes a variant with N
known errors (a few per kind, spread over the blocks) and a ``.errors.json`` file listing them.

    python benchmarks/generate.py --size 100k --seed 1 --out benchmarks/data/synthetic-100k.nt
    python benchmarks/generate.py --size 10k --plant-errors 24 --out /tmp/planted-10k.nt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

SZ = "https://w3id.org/szsemi/id/"
SYN = SZ + "synthetic/"
SZO = "https://w3id.org/szsemi/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
DCT = "http://purl.org/dc/terms/"

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
BLOCKS_PER_CITY = 40


def parse_size(text: str) -> int:
    """``10k``, ``1M``, ``250000`` -> a number of triples."""
    if text in SIZES:
        return SIZES[text]
    units = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


# ------------------------------------------------------------------------------------------------
# Terms, as N-Triples text
# ------------------------------------------------------------------------------------------------


def iri(value: str) -> str:
    return f"<{value}>"


def syn(local: str) -> str:
    return f"<{SYN}{local}>"


def szo(local: str) -> str:
    return f"<{SZO}{local}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, lang: str | None = None, dt: str | None = None) -> str:
    if lang:
        return f'"{_escape(text)}"@{lang}'
    if dt and dt != XSD + "string":
        return f'"{_escape(text)}"^^<{dt}>'
    return f'"{_escape(text)}"'


def en(text: str) -> str:
    return lit(text, lang="en")


def zh(text: str) -> str:
    return lit(text, lang="zh-Hans")


def typed(text: object, local: str) -> str:
    return lit(str(text), dt=XSD + local)


A = iri(RDF + "type")
PREF, ALT, DEF = iri(SKOS + "prefLabel"), iri(SKOS + "altLabel"), iri(SKOS + "definition")
IN_SCHEME, TOP_OF, HAS_TOP, BROADER = (iri(SKOS + x) for x in ("inScheme", "topConceptOf", "hasTopConcept", "broader"))
DERIVED, QUALIFIED, PROV_ENTITY = iri(PROV + "wasDerivedFrom"), iri(PROV + "qualifiedDerivation"), iri(PROV + "entity")
CONCEPT, SCHEME = iri(SKOS + "Concept"), iri(SKOS + "ConceptScheme")

# The schemes the shapes name (sh:hasValue), so their IRIs are the project's own.
SCHEMES = {
    "sectors": ("sector", "Synthetic sector", "合成产业", 12),
    "service-stages": ("service-stage", "Synthetic service stage", "合成服务阶段", 4),
    "designations": ("designation", "Synthetic designation", "合成称号", 3),
    "resource-kinds": ("resource-kind", "Synthetic resource kind", "合成资源类型", 3),
    "park-kinds": ("park-kind", "Synthetic park kind", "合成园区类型", 2),
    "measures": ("measure", "Synthetic measure", "合成计量", 3),
    "conditions": ("condition", "Synthetic condition", "合成条件", 2),
    "milestone-kinds": ("milestone-kind", "Synthetic milestone kind", "合成里程碑类型", 4),
    "travel-modes": ("travel-mode", "Synthetic travel mode", "合成交通方式", 2),
    "layout-zones": ("layout-zone", "Synthetic layout zone", "合成片区", 3),
    "district-functions": ("district-function", "Synthetic district function", "合成区域功能", 4),
    "plan-priorities": ("plan-priority", "Synthetic plan priority", "合成规划重点", 3),
}


def concept(scheme: str, n: int) -> str:
    return syn(f"{SCHEMES[scheme][0]}/c{n:02d}")


def concepts(scheme: str) -> list[str]:
    return [concept(scheme, n) for n in range(1, SCHEMES[scheme][3] + 1)]


# ------------------------------------------------------------------------------------------------
# A block of triples with the project's provenance rules
# ------------------------------------------------------------------------------------------------


class Block:
    """Triples of one part of the graph, plus named handles that planted errors can reach."""

    def __init__(self, key: str):
        self.key = key
        self.triples: list[tuple[str, str, str]] = []
        self.handles: dict[str, object] = {}
        self._blank = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.append((s, p, o))

    def blank(self) -> str:
        self._blank += 1
        return f"_:{self.key}n{self._blank}"

    def entity(self, subject: str, types: list[str], props: list[tuple[str, str]], passages: list[str]) -> None:
        """An entity with its statements and sources. With several passages, each statement says which
        passage it comes from (prov:qualifiedDerivation), as the shapes require."""
        for t in types:
            self.add(subject, A, t)
        for p, o in props:
            self.add(subject, p, o)
        for passage in passages:
            self.add(subject, DERIVED, passage)
        if len(passages) > 1:
            predicates = list(dict.fromkeys(p for p, _ in props))
            groups: list[list[str]] = [[] for _ in passages]
            for k, p in enumerate(predicates):
                groups[k % len(passages)].append(p)
            for passage, group in zip(passages, groups, strict=True):
                if not group:
                    continue
                d = self.blank()
                self.add(subject, QUALIFIED, d)
                self.add(d, A, iri(PROV + "Derivation"))
                self.add(d, PROV_ENTITY, passage)
                for p in group:
                    self.add(d, szo("forProperty"), p)

    def lines(self) -> str:
        return "".join(f"{s} {p} {o} .\n" for s, p, o in self.triples)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _instant(b: Block, kind: str, value: str, implied: bool = False) -> str:
    node = b.blank()
    b.add(node, A, iri(TIME + "Instant"))
    b.add(
        node,
        iri(TIME + {"date": "inXSDDate", "gYearMonth": "inXSDgYearMonth", "gYear": "inXSDgYear"}[kind]),
        typed(value, kind),
    )
    if implied:
        b.add(node, szo("yearImpliedBySource"), typed("true", "boolean"))
    return node


def _duration(b: Block, value: int, unit: str, bound: str) -> str:
    node = b.blank()
    b.add(node, A, iri(TIME + "Duration"))
    b.add(node, iri(TIME + "numericDuration"), typed(f"{value}.0", "decimal"))
    b.add(node, iri(TIME + "unitType"), iri(TIME + unit))
    b.add(node, szo("bound"), szo(bound))
    return node


def _count(b: Block, value: int, what: str) -> str:
    node = b.blank()
    b.add(node, A, szo("StatedCount"))
    b.add(node, szo("bound"), szo("MoreThan"))
    b.add(node, szo("countValue"), typed(value, "integer"))
    b.add(node, szo("countedKind"), en(what))
    return node


# ------------------------------------------------------------------------------------------------
# The shared part: places above the districts, exchanges, vocabularies, the vocabulary source
# ------------------------------------------------------------------------------------------------


def _document(b: Block, doc: str, label: str, file_name: str, passages: int, date: str) -> list[str]:
    b.add(doc, A, szo("SourceDocument"))
    b.add(doc, PREF, en(label))
    b.add(doc, szo("fileName"), lit(file_name))
    b.add(doc, szo("textSha256"), lit(_sha(label)))
    b.add(doc, iri(DCT + "language"), lit("en"))
    b.add(doc, iri(DCT + "date"), typed(date, "gYearMonth"))
    b.add(doc, szo("isMachineTranslation"), typed("false", "boolean"))
    out = []
    for n in range(1, passages + 1):
        p = iri(doc[1:-1].replace("/source/", "/passage/") + f"-p{n}")
        b.add(p, A, szo("Passage"))
        b.add(p, szo("inDocument"), doc)
        b.add(p, szo("passageNumber"), typed(n, "integer"))
        b.add(p, szo("textSha256"), lit(_sha(f"{label} passage {n}")))
        b.add(p, szo("gist"), en(f"Synthetic gist of passage {n} of {label}."))  # every passage has one
        out.append(p)
    return out


def shared_block() -> Block:
    b = Block("g")
    vocab = _document(
        b,
        syn("source/vocabulary"),
        "Synthetic vocabulary notes (benchmark data)",
        "synthetic-vocabulary.txt",
        3,
        "2024-01",
    )
    for scheme, (_kind, label, label_zh, count) in SCHEMES.items():
        s = iri(SZ + "scheme/" + scheme)
        b.add(s, A, SCHEME)
        b.add(s, PREF, en(f"{label}s (benchmark data)"))
        b.add(s, PREF, zh(f"{label_zh}（基准测试数据）"))
        for n in range(1, count + 1):
            c = concept(scheme, n)
            props = [
                (IN_SCHEME, s),
                (PREF, en(f"{label} {n}")),
                (PREF, zh(f"{label_zh} {n}")),
                (DEF, en(f"A generated {label.lower()} for benchmarks, number {n}.")),
                (DEF, zh(f"用于基准测试的{label_zh}，编号 {n}。")),
            ]
            top = scheme != "sectors" or n <= 3
            if top:
                props.append((TOP_OF, s))
                b.add(s, HAS_TOP, c)
            else:
                props.append((BROADER, concept("sectors", 1 + n % 3)))
            if scheme == "service-stages":
                props.append((szo("stageOrder"), typed(n, "integer")))
            b.entity(c, [CONCEPT], props, [vocab[n % len(vocab)]])
    notes = _document(
        b,
        syn("source/reference-notes"),
        "Synthetic reference notes (benchmark data)",
        "synthetic-reference-notes.txt",
        8,
        "2024-02",
    )
    country, province = syn("place/country"), syn("place/province")
    b.entity(
        country,
        [szo("Country")],
        [(PREF, en("Synthetic Country")), (PREF, zh("合成国家")), (szo("identityStatus"), szo("IdentityConfirmed"))],
        [notes[0]],
    )
    b.entity(
        province,
        [szo("Province")],
        [
            (PREF, en("Synthetic Province")),
            (PREF, zh("合成省")),
            (szo("identityStatus"), szo("IdentityConfirmed")),
            (szo("locatedIn"), country),
        ],
        [notes[0]],
    )
    for x in range(3):
        exchange = syn(f"org/exchange-{x}")
        b.entity(
            exchange,
            [szo("StockExchange")],
            [(PREF, en(f"Synthetic Exchange {x}")), (ALT, en(f"Synthetic SX{x}"))],
            [notes[1]],
        )
        board = syn(f"board/exchange-{x}-growth")
        b.entity(
            board,
            [szo("MarketBoard")],
            [(PREF, en(f"Synthetic Exchange {x} growth board")), (szo("boardOf"), exchange)],
            [notes[1]],
        )
    b.handles["notes"] = notes
    return b


def city_block(c: int, notes: list[str]) -> Block:
    b = Block(f"c{c}")
    city = syn(f"place/city-{c:04d}")
    b.entity(
        city,
        [szo("City")],
        [
            (PREF, en(f"Synthetic City {c:04d}")),
            (PREF, zh(f"合成市 {c:04d}")),
            (szo("identityStatus"), szo("IdentityConfirmed")),
            (szo("locatedIn"), syn("place/province")),
        ],
        [notes[2]],
    )
    for k in range(2):
        body = syn(f"org/city-{c:04d}-bureau-{k}")
        b.entity(body, [szo("GovernmentBody")], [(PREF, en(f"Synthetic City {c:04d} Bureau {k}"))], [notes[3]])
    return b


# ------------------------------------------------------------------------------------------------
# One district block
# ------------------------------------------------------------------------------------------------


def district_block(i: int, seed: int) -> Block:
    rng = random.Random(f"szsemi-synthetic:{seed}:{i}")
    b = Block(f"d{i}")
    tag = f"{i:06d}"
    city = syn(f"place/city-{i // BLOCKS_PER_CITY:04d}")
    bureaus = [syn(f"org/city-{i // BLOCKS_PER_CITY:04d}-bureau-{k}") for k in range(2)]
    year = 2015 + i % 9
    P = _document(
        b,
        syn(f"source/report-{tag}"),
        f"Synthetic report {tag} (benchmark data)",
        f"synthetic-report-{tag}.txt",
        10,
        f"{year}-{1 + i % 12:02d}",
    )
    pick = rng.choice

    def sample(items, lo, hi):
        return rng.sample(items, rng.randint(lo, hi))

    confirmed, likely, unresolved = (szo("IdentityConfirmed"), szo("IdentityLikely"), szo("IdentityUnresolved"))

    # places
    district = syn(f"place/district-{tag}")
    b.entity(
        district,
        [szo("District")],
        [
            (PREF, en(f"Synthetic District {tag}")),
            (PREF, zh(f"合成区 {tag}")),
            (szo("reportedName"), en(f"Synthetic district {tag} (reported name)")),
            (szo("identityStatus"), confirmed),
            (szo("locatedIn"), city),
        ],
        [P[0], P[1]],
    )
    subdistricts = []
    for k in range(2):
        sd = syn(f"place/district-{tag}-sub-{k}")
        b.entity(
            sd,
            [szo("Subdistrict")],
            [
                (PREF, en(f"Synthetic Subdistrict {tag}-{k}")),
                (PREF, zh(f"合成街道 {tag}-{k}")),
                (szo("identityStatus"), confirmed),
                (szo("locatedIn"), district),
            ],
            [P[1]],
        )
        subdistricts.append(sd)
    b.handles["district"] = district

    # corporate groups and firms
    groups = []
    for k in range(2):
        g = syn(f"org/group-{tag}-{k}")
        if k == 0:
            props = [
                (PREF, en(f"Synthetic Group {tag}-{k}")),
                (PREF, zh(f"合成集团 {tag}-{k}")),
                (szo("identityStatus"), confirmed),
                (szo("headquarteredIn"), district),
            ]
        else:
            props = [
                (PREF, en(f"Synthetic Group {tag}-{k}")),
                (szo("reportedName"), en(f"Synthetic group {tag}-{k} (reported name)")),
                (szo("identityStatus"), likely),
                (szo("identityNote"), en("Synthetic note: identity only likely.")),
            ]
        b.entity(g, [szo("CorporateGroup")], props, [P[2]])
        groups.append(g)
    firms, confirmed_firms, unconfirmed_firms, single_source_firms, listings = [], [], [], [], []
    for k in range(10):
        f = syn(f"org/firm-{tag}-{k}")
        name = f"Synthetic Firm {tag}-{k}"
        roll = rng.random()
        props = [(PREF, en(name)), (szo("reportedName"), en(f"Synthetic firm {tag}-{k} (reported name)"))]
        if roll < 0.6:
            props += [
                (PREF, zh(f"合成企业 {tag}-{k}")),
                (ALT, en(f"Synthetic firm {tag}{k} (short name)")),
                (szo("identityStatus"), confirmed),
                (szo("registeredIn"), pick(subdistricts)),
            ]
            if rng.random() < 0.5:
                props.append((szo("subsidiaryOf"), groups[0]))
            if rng.random() < 0.45:
                for x in rng.sample(range(3), rng.randint(1, 2)):
                    listing = syn(f"listing/firm-{tag}-{k}-x{x}")
                    props.append((szo("hasListing"), listing))
                    listings.append((listing, x, f"SYN{tag}{k}{x}", f))
            else:
                props.append((szo("notListedAsOf"), typed(year, "gYear")))
            passages = [P[2], P[3]]
            confirmed_firms.append(f)
        else:
            status = likely if roll < 0.85 else unresolved
            props += [
                (szo("identityStatus"), status),
                (szo("identityNote"), en("Synthetic note: who this name refers to is not settled.")),
            ]
            if status == likely and confirmed_firms:
                props.append((szo("candidateIdentity"), confirmed_firms[-1]))
            passages = [P[3]]
            unconfirmed_firms.append(f)
            single_source_firms.append(f)
        b.entity(f, [szo("Company")], props, passages)
        firms.append(f)
    for listing, x, ticker, _owner in listings:
        props = [
            (PREF, en(f"Synthetic listing {ticker}")),
            (szo("onExchange"), syn(f"org/exchange-{x}")),
            (szo("tickerSymbol"), lit(ticker)),
            (szo("asOf"), typed(year, "gYear")),
        ]
        if rng.random() < 0.5:
            props.append((szo("onBoard"), syn(f"board/exchange-{x}-growth")))
        if rng.random() < 0.5:
            props.append(
                (szo("listedFrom"), typed(f"{year - rng.randint(1, 8)}-{rng.randint(1, 12):02d}", "gYearMonth"))
            )
        b.entity(listing, [szo("Listing")], props, [P[3]])
    b.handles.update(
        firms=firms,
        unconfirmed_firms=unconfirmed_firms,
        single_source_firms=single_source_firms,
        listings=[(listing, ticker) for listing, _, ticker, _ in listings],
    )

    # parks, with their figures, milestones and proximity
    parks = []
    for k in range(3):
        park = syn(f"park/park-{tag}-{k}")
        status = pick([confirmed, confirmed, likely, unresolved])
        props = [
            (PREF, en(f"Synthetic Park {tag}-{k}")),
            (szo("reportedName"), en(f"Synthetic park {tag}-{k} (reported name)")),
            (szo("identityStatus"), status),
            (szo("locatedIn"), pick([district, *subdistricts])),
            (szo("ownedBy"), pick(groups)),
            (szo("inSector"), pick(concepts("sectors"))),
        ]
        if status == confirmed:
            props.append((PREF, zh(f"合成园区 {tag}-{k}")))
        else:
            props.append((szo("identityNote"), en("Synthetic note: the park's official name is not confirmed.")))
        if rng.random() < 0.5:
            props.append((szo("operatedBy"), pick(firms)))
        props += [(szo("hasDesignation"), c) for c in sample(concepts("designations"), 1, 2)]
        props += [(szo("offersServiceStage"), c) for c in sample(concepts("service-stages"), 2, 4)]
        props += [
            (szo("reliesOn"), pick(concepts("resource-kinds"))),
            (szo("aimsToBecome"), pick(concepts("park-kinds"))),
        ]
        props += [(szo("focusesOn"), c) for c in sample(concepts("sectors"), 1, 2)]
        props += [(szo("surroundedByIndustryCircle"), c) for c in sample(concepts("sectors"), 2, 4)]
        b.entity(park, [szo("IndustrialPark")], props, [P[4], P[5]] if k == 0 else [P[4]])
        parks.append(park)
        measures = concepts("measures")
        for m, measure in enumerate(measures):
            figure = syn(f"figure/park-{tag}-{k}-m{m}")
            estimate = m > 0
            props = [
                (PREF, en(f"Synthetic Park {tag}-{k}: synthetic measure {m + 1}")),
                (szo("figureOf"), park),
                (szo("measures"), measure),
                (szo("amount"), typed(f"{rng.randint(1, 500) * 10_000_000}.0", "decimal")),
                (szo("currencyCode"), lit("CNY")),
                (szo("bound"), szo(pick(["MoreThan", "Exactly", "AtLeast"]))),
                (szo("isEstimate"), typed("true" if estimate else "false", "boolean")),
                (szo("asOf"), typed(f"{year}-{1 + i % 12:02d}", "gYearMonth")),
            ]
            if estimate:
                props.append((szo("expectedWhen"), pick(concepts("conditions"))))
            b.entity(figure, [szo("MonetaryFigure")], props, [P[5]])
        if k == 0:  # a second source disagrees on the first measure, as real sources do
            rival = syn(f"figure/park-{tag}-{k}-m0-second-source")
            b.entity(
                rival,
                [szo("MonetaryFigure")],
                [
                    (PREF, en(f"Synthetic Park {tag}-{k}: synthetic measure 1, second source")),
                    (szo("figureOf"), park),
                    (szo("measures"), measures[0]),
                    (szo("amount"), typed(f"{rng.randint(501, 900) * 10_000_000}.0", "decimal")),
                    (szo("currencyCode"), lit("CNY")),
                    (szo("bound"), szo("Exactly")),
                    (szo("isEstimate"), typed("false", "boolean")),
                ],
                [P[6]],
            )
        milestone = syn(f"milestone/park-{tag}-{k}-topped-out")
        when = _instant(b, "date", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", implied=True)
        b.entity(
            milestone,
            [szo("Milestone")],
            [
                (PREF, en(f"Synthetic Park {tag}-{k}: synthetic milestone")),
                (szo("milestoneOf"), park),
                (szo("milestoneKind"), concept("milestone-kinds", 3)),
                (iri(TIME + "hasTime"), when),
            ],
            [P[6]],
        )
        relation = syn(f"proximity/park-{tag}-{k}")
        destinations = rng.sample(firms, rng.randint(2, 4))
        duration = _duration(b, rng.choice([5, 10, 15, 20, 30]), "unitMinute", "AtMost")
        props = [
            (PREF, en(f"Synthetic Park {tag}-{k}: firms within a short drive")),
            (szo("origin"), park),
            *((szo("destination"), d) for d in destinations),
            (szo("travelMode"), concept("travel-modes", 1)),
            (szo("travelTime"), duration),
            (szo("statedFirmCount"), _count(b, rng.randint(5, 40), "synthetic firms near the park")),
            (szo("asOf"), typed(f"{year}-{1 + i % 12:02d}", "gYearMonth")),
        ]
        b.entity(relation, [szo("ProximityRelation")], props, [P[6]])
        b.handles.setdefault("durations", []).append((relation, duration))
        b.handles.setdefault("proximity", []).append((relation, destinations))
        b.handles.setdefault("figures", []).append(figure)
    b.handles["parks"] = parks
    for when_kind, subject, value in (("gYear", district, str(year - 10)), ("gYearMonth", firms[0], f"{year - 3}-06")):
        milestone = syn(f"milestone/{'district' if subject == district else 'firm'}-{tag}-established")
        b.entity(
            milestone,
            [szo("Milestone")],
            [
                (PREF, en(f"Synthetic milestone of block {tag}")),
                (szo("milestoneOf"), subject),
                (szo("milestoneKind"), concept("milestone-kinds", 2)),
                (iri(TIME + "hasTime"), _instant(b, when_kind, value)),
            ],
            [P[7]],
        )

    # a major project with two production lines
    lines = []
    for size, diameter in ((8, 200), (12, 300)):
        line = syn(f"line/project-{tag}-{diameter}mm")
        b.entity(
            line,
            [szo("ProductionLine")],
            [
                (PREF, en(f"Synthetic {size}-inch line {tag}")),
                (szo("operatedBy"), firms[1]),
                (szo("waferSizeInches"), typed(size, "integer")),
                (szo("waferDiameterMm"), typed(diameter, "integer")),
                (szo("operatingSince"), typed(f"{year - 2}-{rng.randint(1, 12):02d}", "gYearMonth")),
            ],
            [P[7]],
        )
        lines.append(line)
    project = syn(f"project/project-{tag}")
    b.entity(
        project,
        [szo("MajorProject")],
        [
            (PREF, en(f"Synthetic Project {tag}")),
            (szo("reportedName"), en(f"Synthetic project {tag} (reported name)")),
            (szo("identityStatus"), confirmed),
            (szo("operatedBy"), firms[1]),
            (szo("locatedIn"), district),
            *((szo("includesFacility"), x) for x in lines),
        ],
        [P[7], P[8]],
    )

    # a government plan: issuer, period, focus districts, roles, layout
    plan = syn(f"plan/plan-{tag}")
    layout = syn(f"layout/plan-{tag}")
    neighbour = syn(f"place/district-{i - 1:06d}") if i % BLOCKS_PER_CITY else district
    start = year - rng.randint(0, 2)
    period = b.blank()
    b.add(period, A, iri(TIME + "ProperInterval"))
    b.add(period, iri(TIME + "hasBeginning"), _instant(b, "gYear", str(start)))
    b.add(period, iri(TIME + "hasEnd"), _instant(b, "gYear", str(start + rng.randint(3, 5))))
    b.handles["period"] = (plan, period)
    roles = []
    for k, role_district in enumerate(dict.fromkeys([district, neighbour])):
        role = syn(f"district-role/plan-{tag}-{k}")
        b.entity(
            role,
            [szo("DistrictRole")],
            [
                (PREF, en(f"Synthetic Plan {tag}: role {k}")),
                (szo("roleDistrict"), role_district),
                *((szo("roleFunction"), c) for c in sample(concepts("district-functions"), 1, 2)),
            ],
            [P[8]],
        )
        roles.append(role)
    zones = []
    for k, zone in enumerate(concepts("layout-zones")):
        assignment = syn(f"zone-assignment/plan-{tag}-{k}")
        b.entity(
            assignment,
            [szo("ZoneAssignment")],
            [
                (PREF, en(f"Synthetic Plan {tag}: zone {k}")),
                (szo("zone"), zone),
                (szo("inSector"), pick(concepts("sectors"))),
            ],
            [P[8]],
        )
        zones.append(assignment)
    b.entity(
        layout,
        [szo("SpatialLayout")],
        [(PREF, en(f"Synthetic Plan {tag}: layout")), *((szo("hasZoneAssignment"), z) for z in zones)],
        [P[8]],
    )
    b.entity(
        plan,
        [szo("GovernmentPlan")],
        [
            (PREF, en(f"Synthetic Plan {tag}")),
            (PREF, zh(f"合成规划 {tag}")),
            (ALT, en(f"Synthetic plan {tag} (short name)")),
            (szo("identityStatus"), confirmed),
            (szo("issueDate"), typed(f"{start}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date")),
            *((szo("issuedBy"), x) for x in sample(bureaus, 1, 2)),
            (szo("jurisdiction"), district),
            (szo("inSector"), pick(concepts("sectors"))),
            (szo("planPeriod"), period),
            *((szo("prioritises"), c) for c in sample(concepts("plan-priorities"), 1, 2)),
            *((szo("focusDistrict"), d) for d in dict.fromkeys([district, neighbour])),
            *((szo("assignsRole"), r) for r in roles),
            (szo("setsLayout"), layout),
        ],
        [P[8], P[9]],
    )

    # an industry cluster and attributed claims
    cluster = syn(f"cluster/cluster-{tag}")
    b.entity(
        cluster,
        [szo("IndustryCluster")],
        [
            (PREF, en(f"Synthetic Cluster {tag}")),
            (PREF, zh(f"合成产业集群 {tag}")),
            (szo("clusterLocation"), district),
            (szo("inSector"), pick(concepts("sectors"))),
            (szo("coreActivity"), pick(concepts("sectors"))),
            (szo("focusProject"), project),
            *((szo("representativeFirm"), f) for f in rng.sample(firms, 5)),
            (szo("statedFirmCount"), _count(b, rng.randint(40, 120), "synthetic firms of the cluster")),
            (szo("developmentDuration"), _duration(b, rng.randint(5, 30), "unitYear", "MoreThan")),
            (szo("asOf"), typed(f"{year}-{1 + i % 12:02d}", "gYearMonth")),
        ],
        [P[9]],
    )
    claims = []
    for k, (about, status) in enumerate(
        ((parks[0], "ClaimUnverified"), (cluster, pick(["ClaimForecast", "ClaimContradicted"])))
    ):
        claim = syn(f"claim/claim-{tag}-{k}")
        b.entity(
            claim,
            [szo("AttributedClaim")],
            [
                (PREF, en(f"Synthetic claim {tag}-{k}")),
                (szo("claimAbout"), about),
                (szo("claimStatus"), szo(status)),
                (szo("claimSummary"), en("A generated claim, attributed to its synthetic source.")),
            ],
            [P[9]],
        )
        claims.append(claim)
    b.handles.update(claims=claims, passages=P, plan=plan)
    return b


# ------------------------------------------------------------------------------------------------
# Planted errors: each kind breaks one rule in a known place
# ------------------------------------------------------------------------------------------------

SH = "http://www.w3.org/ns/shacl#"


def _remove(b: Block, s: str, p: str, o: str | None = None) -> None:
    b.triples = [t for t in b.triples if not (t[0] == s and t[1] == p and (o is None or t[2] == o))]


def _strip(term: str) -> str:
    return term[1:-1] if term.startswith("<") else term


def plant(b: Block, kind: str) -> dict:
    """Break ``b`` in the way ``kind`` names; return what a validator must report."""
    h = b.handles
    expect = {"kind": kind}
    if kind == "no-english-name":
        f = h["single_source_firms"][0]
        _remove(b, f, PREF)
        b.add(f, PREF, lit("Synthetic firm without a language tag"))
        expect.update(focus=f, path=PREF, component="QualifiedMinCountConstraintComponent")
    elif kind == "figure-without-bound":
        f = h["figures"][0]
        _remove(b, f, szo("bound"))
        expect.update(focus=f, path=szo("bound"), component="MinCountConstraintComponent")
    elif kind == "passage-number-as-text":
        p = h["passages"][4]
        _remove(b, p, szo("passageNumber"))
        b.add(p, szo("passageNumber"), lit("5"))
        expect.update(focus=p, path=szo("passageNumber"), component="DatatypeConstraintComponent")
    elif kind == "park-misspelt-property":
        park = h["parks"][1]
        b.add(park, szo("locatedInn"), h["district"])
        expect.update(focus=park, path=szo("locatedInn"), component="ClosedConstraintComponent")
    elif kind == "park-located-in-a-firm":
        park = h["parks"][2]
        _remove(b, park, szo("locatedIn"))
        b.add(park, szo("locatedIn"), h["firms"][0])
        expect.update(focus=park, path=szo("locatedIn"), component="ClassConstraintComponent")
    elif kind == "proximity-without-destination":
        relation, destinations = h["proximity"][0]
        _remove(b, relation, szo("destination"))
        expect.update(focus=relation, path=szo("destination"), component="SPARQLConstraintComponent")
    elif kind == "unconfirmed-with-chinese-name":
        f = h["unconfirmed_firms"][-1]
        b.add(f, PREF, zh("合成企业（未确认）"))
        expect.update(focus=f, path=PREF, component="SPARQLConstraintComponent")
    elif kind == "claim-without-source":
        claim = h["claims"][0]
        _remove(b, claim, DERIVED)
        expect.update(focus=claim, path=DERIVED, component="MinCountConstraintComponent")
    elif kind == "period-ends-before-it-begins":
        plan, period = h["period"]
        begin = next(o for s, p, o in b.triples if s == period and p == iri(TIME + "hasBeginning"))
        _remove(b, begin, iri(TIME + "inXSDgYear"))
        b.add(begin, iri(TIME + "inXSDgYear"), typed("2099", "gYear"))
        expect.update(
            owner=plan, via=szo("planPeriod"), path=iri(TIME + "hasEnd"), component="SPARQLConstraintComponent"
        )
    elif kind == "duration-in-days":
        relation, duration = h["durations"][1]
        _remove(b, duration, iri(TIME + "unitType"))
        b.add(duration, iri(TIME + "unitType"), iri(TIME + "unitDay"))
        expect.update(
            owner=relation, via=szo("travelTime"), path=iri(TIME + "unitType"), component="InConstraintComponent"
        )
    elif kind == "listing-two-tickers" and h["listings"]:
        listing, ticker = h["listings"][0]
        b.add(listing, szo("tickerSymbol"), lit(ticker + "B"))
        expect.update(focus=listing, path=szo("tickerSymbol"), component="MaxCountConstraintComponent")
    elif kind == "listing-two-tickers":  # a block without listings: break a figure's currency instead
        f = h["figures"][1]
        _remove(b, f, szo("currencyCode"))
        b.add(f, szo("currencyCode"), lit("yuan"))
        expect.update(
            kind="figure-currency-not-iso", focus=f, path=szo("currencyCode"), component="PatternConstraintComponent"
        )
    else:
        raise ValueError(f"unknown error kind {kind!r}")
    for key in ("focus", "owner", "via", "path"):
        if key in expect:
            expect[key] = _strip(expect[key])
    expect["component"] = SH + expect["component"]
    return expect


ERROR_KINDS = (
    "no-english-name",
    "figure-without-bound",
    "passage-number-as-text",
    "park-misspelt-property",
    "park-located-in-a-firm",
    "proximity-without-destination",
    "unconfirmed-with-chinese-name",
    "claim-without-source",
    "period-ends-before-it-begins",
    "duration-in-days",
    "listing-two-tickers",
)


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def _blocks_for(target: int) -> int:
    """How many district blocks make about ``target`` triples (blocks are near-constant in size)."""
    shared = len(shared_block().triples)
    sample = [len(district_block(i, 0).triples) for i in range(8)]
    per_block = sum(sample) / len(sample) + len(city_block(0, ["<x>"] * 8).triples) / BLOCKS_PER_CITY
    return max(1, round((target - shared) / per_block))


def generate(out: str | os.PathLike, size: int, seed: int = 1, plant_errors: int = 0) -> dict:
    """Write about ``size`` triples to ``out`` (N-Triples); return what was written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    blocks = _blocks_for(size)
    faults: dict[int, list[str]] = {}
    for j in range(plant_errors):
        faults.setdefault(j * blocks // plant_errors, []).append(ERROR_KINDS[j % len(ERROR_KINDS)])
    planted, triples = [], 0
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        shared = shared_block()
        f.write(shared.lines())
        triples += len(shared.triples)
        notes = shared.handles["notes"]
        i = 0
        while i < blocks or triples < size:  # the estimate, then on until the size is reached
            if i % BLOCKS_PER_CITY == 0:
                c = city_block(i // BLOCKS_PER_CITY, notes)
                f.write(c.lines())
                triples += len(c.triples)
            b = district_block(i, seed)
            for kind in faults.get(i, []):
                planted.append(plant(b, kind))
            f.write(b.lines())
            triples += len(b.triples)
            i += 1
    os.replace(tmp, out)
    info = {
        "file": out.name,
        "seed": seed,
        "requested": size,
        "triples": triples,
        "blocks": i,
        "planted_errors": planted,
    }
    if plant_errors:
        Path(str(out) + ".errors.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


# Parameters for the stored queries whose defaults name entities of the shipped data, so that on
# synthetic data they still ask about something that exists.
SYNTHETIC_PARAMS = {
    "get-within-travel-time": {"origin": f"{SYN}park/park-000000-0", "minutes": "30"},
    "get-provenance": {"entity": f"{SYN}park/park-000000-0"},
    "get-entity-description": {"entity": f"{SYN}park/park-000000-0"},
    "get-entity-by-name": {"name": "Synthetic Park 000000-0"},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="10k, 100k, 1M, 10M or a number of triples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--plant-errors",
        type=int,
        default=0,
        metavar="N",
        help="write a variant with N known errors (and OUT.errors.json listing them)",
    )
    parser.add_argument("--out", required=True, help="the N-Triples file to write")
    args = parser.parse_args(argv)
    info = generate(args.out, parse_size(args.size), args.seed, args.plant_errors)
    print(
        f"{args.out}: {info['triples']} triples in {info['blocks']} blocks"
        + (f", {len(info['planted_errors'])} planted errors" if args.plant_errors else ""),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
