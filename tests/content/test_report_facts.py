"""Every fact of the source report is in the graph, with the paragraph it comes from.

One ASK per fact, in the report's order; each pattern includes the citation, so a fact that lost its
source fails too. The wording here is the project's own.
"""

from __future__ import annotations

import pytest

from szsemi.graph.namespaces import sparql_prologue

R = "sz:passage\\/pingshan-report-2022-11-p"  # escaped slash: the local name holds one

FACTS = [
    (
        1,
        "the headline's claim that Pingshan's industry is speeding up is attributed, not asserted",
        "?c a szo:AttributedClaim ; szo:claimAbout sz:cluster\\/pingshan-semiconductor-and-ic ; szo:claimStatus "
        "szo:ClaimUnverified ; prov:wasDerivedFrom {p}",
    ),
    (
        2,
        "the park's main structure was fully topped out on 2 November 2022 (year implied)",
        "?m szo:milestoneOf sz:park\\/colorful-silicon-valley ; szo:milestoneKind "
        "sz:milestone-kind\\/main-structure-topped-out ; "
        "time:hasTime [ time:inXSDDate ?d ; szo:yearImpliedBySource true ] ; prov:wasDerivedFrom {p} FILTER(STR(?d) "
        "= '2022-11-02')",
    ),
    (
        2,
        "the park is a Shenzhen major project and a key promotion park",
        "sz:park\\/colorful-silicon-valley szo:hasDesignation sz:designation\\/shenzhen-major-project , "
        "sz:designation\\/shenzhen-key-promotion-park ; prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty "
        "szo:hasDesignation ]",
    ),
    (
        2,
        "the park is a semiconductor park in Pingshan District",
        "sz:park\\/colorful-silicon-valley szo:inSector sz:sector\\/semiconductors ; szo:locatedIn "
        "sz:place\\/pingshan-district ; prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty szo:locatedIn , "
        "szo:inSector ]",
    ),
    (
        2,
        "expected output value after completion: more than 20 billion yuan, an estimate",
        "?f szo:figureOf sz:park\\/colorful-silicon-valley ; szo:measures sz:measure\\/output-value ; szo:amount "
        "20000000000.0 ; szo:currencyCode 'CNY' ; "
        "szo:bound szo:MoreThan ; szo:isEstimate true ; szo:expectedWhen sz:condition\\/after-completion ; "
        "prov:wasDerivedFrom {p}",
    ),
    (
        2,
        "expected tax contribution after completion: more than 1 billion yuan, an estimate",
        "?f szo:figureOf sz:park\\/colorful-silicon-valley ; szo:measures sz:measure\\/tax-contribution ; szo:amount "
        "1000000000.0 ; "
        "szo:bound szo:MoreThan ; szo:isEstimate true ; prov:wasDerivedFrom {p}",
    ),
    (
        3,
        "the park belongs to Shenzhen Colorful Industry Group",
        "sz:park\\/colorful-silicon-valley szo:ownedBy sz:org\\/shenzhen-colorful-industry-group ; "
        "prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty szo:ownedBy ]",
    ),
    (
        3,
        "total investment: more than 3 billion yuan, a reported fact",
        "?f szo:figureOf sz:park\\/colorful-silicon-valley ; szo:measures sz:measure\\/total-investment ; szo:amount "
        "3000000000.0 ; "
        "szo:bound szo:MoreThan ; szo:isEstimate false ; prov:wasDerivedFrom {p}",
    ),
    (
        3,
        "the service cycle runs incubator, accelerator, cluster development, above designated size",
        "sz:park\\/colorful-silicon-valley szo:offersServiceStage ?a , ?b , ?c , ?d . ?a szo:stageOrder 1 . ?b "
        "szo:stageOrder 2 . ?c szo:stageOrder 3 . ?d szo:stageOrder 4 . "
        "sz:park\\/colorful-silicon-valley prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty "
        "szo:offersServiceStage ]",
    ),
    (
        3,
        "the park relies on key universities, focuses on semiconductor collaborative innovation and "
        "medicine-engineering crossover, and aims to be an industrial ecological park",
        "sz:park\\/colorful-silicon-valley szo:reliesOn sz:resource-kind\\/key-universities ; szo:focusesOn "
        "sz:sector\\/semiconductor-collaborative-innovation , sz:sector\\/medicine-engineering-crossover ; "
        "szo:aimsToBecome sz:park-kind\\/industrial-ecological-park ; prov:qualifiedDerivation [ prov:entity {p} ; "
        "szo:forProperty szo:reliesOn , szo:focusesOn , szo:aimsToBecome ]",
    ),
    (
        4,
        "more than 20 well-known listed firms, Honor, SMIC and BYD among them, are within a 10-minute drive",
        "?r szo:origin sz:park\\/colorful-silicon-valley ; szo:destination sz:org\\/honor , sz:org\\/smic , "
        "sz:org\\/byd ; szo:travelMode sz:travel-mode\\/driving ; "
        "szo:travelTime [ time:numericDuration 10.0 ; time:unitType time:unitMinute ; szo:bound szo:AtMost ] ; "
        "szo:statedFirmCount [ szo:countValue 20 ; szo:bound szo:MoreThan ] ; prov:wasDerivedFrom {p}",
    ),
    (
        4,
        "the park is surrounded by intelligent manufacturing, biomedicine, new energy and third-generation "
        "semiconductor circles",
        "sz:park\\/colorful-silicon-valley szo:surroundedByIndustryCircle sz:sector\\/intelligent-manufacturing , "
        "sz:sector\\/biomedicine , sz:sector\\/new-energy , sz:sector\\/third-generation-semiconductors ; "
        "prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty szo:surroundedByIndustryCircle ]",
    ),
    (
        4,
        "calling Honor listed is the report's claim, contradicted by the notes",
        "?c szo:claimAbout sz:org\\/honor ; szo:claimStatus szo:ClaimContradicted ; prov:wasDerivedFrom {p}",
    ),
    (
        4,
        "the agglomeration judgement stays the report's",
        "?c szo:claimAbout sz:park\\/colorful-silicon-valley ; szo:claimStatus szo:ClaimUnverified ; "
        "prov:wasDerivedFrom {p}",
    ),
    (
        5,
        "Shenzhen's integrated-circuit industry has developed for more than 30 years",
        "?c szo:clusterLocation sz:place\\/shenzhen ; szo:developmentDuration [ time:numericDuration 30.0 ; "
        "time:unitType time:unitYear ; szo:bound szo:MoreThan ] ; prov:wasDerivedFrom {p}",
    ),
    (
        5,
        "it grew from nothing: the report's claim",
        "?c szo:claimAbout sz:cluster\\/shenzhen-integrated-circuits ; prov:wasDerivedFrom {p}",
    ),
    (
        5,
        "the Action Plan covers 2022 to 2025 and is Shenzhen's",
        "?plan szo:jurisdiction sz:place\\/shenzhen ; szo:planPeriod [ time:hasBeginning/time:inXSDgYear ?b ; "
        "time:hasEnd/time:inXSDgYear ?e ] ; "
        "prov:qualifiedDerivation [ prov:entity {p} ; szo:forProperty szo:planPeriod , szo:jurisdiction ] "
        "FILTER(STR(?b) = '2022' && STR(?e) = '2025')",
    ),
    (
        5,
        "it puts key projects and key areas first",
        "?plan szo:prioritises sz:plan-priority\\/key-projects , sz:plan-priority\\/key-areas",
    ),
    (
        5,
        "its layout: silicon-based in the east, compound in the west, design in the middle",
        "?plan szo:setsLayout ?l . ?l prov:wasDerivedFrom {p} ; szo:hasZoneAssignment [ szo:zone "
        "sz:layout-zone\\/east ; szo:inSector sz:sector\\/silicon-based-semiconductors ] , "
        "[ szo:zone sz:layout-zone\\/west ; szo:inSector sz:sector\\/compound-semiconductors ] , [ szo:zone "
        "sz:layout-zone\\/middle ; szo:inSector sz:sector\\/semiconductor-and-ic-design ]",
    ),
    (
        5,
        "its six focus districts",
        "?plan szo:focusDistrict sz:place\\/nanshan-district , sz:place\\/futian-district , "
        "sz:place\\/baoan-district , sz:place\\/longhua-district , sz:place\\/longgang-district , "
        "sz:place\\/pingshan-district",
    ),
    (
        5,
        "it positions Pingshan for production and manufacturing",
        "?plan szo:assignsRole [ szo:roleDistrict sz:place\\/pingshan-district ; szo:roleFunction "
        "sz:district-function\\/production-and-manufacturing ; prov:wasDerivedFrom {p} ]",
    ),
    (
        6,
        "Pingshan's cluster: manufacturing at its core, the SMIC lines and the Glory centre as focus projects",
        "sz:cluster\\/pingshan-semiconductor-and-ic szo:coreActivity sz:sector\\/semiconductor-and-ic-manufacturing ; "
        "szo:focusProject sz:project\\/smic-8-and-12-inch-production-lines , "
        "sz:project\\/glory-global-manufacturing-center ; prov:wasDerivedFrom {p}",
    ),
    (
        6,
        "SMIC's 8-inch and 12-inch lines",
        "sz:project\\/smic-8-and-12-inch-production-lines szo:includesFacility [ szo:waferSizeInches 8 ] , [ "
        "szo:waferSizeInches 12 ]",
    ),
    (
        6,
        "more than 80 semiconductor and integrated-circuit firms, eight named",
        "sz:cluster\\/pingshan-semiconductor-and-ic szo:statedFirmCount [ szo:countValue 80 ; szo:bound szo:MoreThan "
        "] ; "
        "szo:representativeFirm sz:org\\/smic , sz:org\\/ona-information , sz:org\\/kintec , sz:org\\/taist , "
        "sz:org\\/basic-semiconductor , "
        "sz:org\\/ampron , sz:org\\/junzheng-shidai , sz:org\\/simbond-technology",
    ),
    (
        6,
        "the expansion forecast is attributed as a forecast",
        "?c szo:claimStatus szo:ClaimForecast ; prov:wasDerivedFrom {p}",
    ),
]


@pytest.mark.parametrize("paragraph, fact, pattern", FACTS, ids=[f"p{p}: {f}" for p, f, _ in FACTS])
def test_fact_is_in_the_graph_with_its_paragraph(shipped_store, paragraph, fact, pattern):
    query = sparql_prologue() + "ASK { " + pattern.replace("{p}", R + str(paragraph)) + " }"
    assert shipped_store.query(query), f"missing from the graph: {fact} (paragraph {paragraph})"


def test_a_missing_fact_fails():
    """The checklist can fail: the same kind of ASK on a fact the report does not make is false."""
    from szsemi.graph.load import load, shipped_data
    from szsemi.graph.resources import ontology_file

    store = load([ontology_file(), *shipped_data()])
    query = (
        sparql_prologue()
        + "ASK { ?f szo:figureOf sz:park\\/colorful-silicon-valley ; szo:amount 3000000000.0 ; szo:bound szo:Exactly }"
    )
    assert not store.query(query)
