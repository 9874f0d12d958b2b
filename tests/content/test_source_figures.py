"""The ten articles' figures: disagreements listed side by side, series with bound and scope."""

from __future__ import annotations

from szsemi.api import run_query

SZ = "https://w3id.org/szsemi/id/"


def _conflicts() -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for row in run_query("get-conflicting-figures"):
        key = f"{row['measure'].value} {row.get('period').value if 'period' in row else ''}".strip()
        found.setdefault(key, set()).add((row["statement"].value, row["passage"].value.rsplit("/", 1)[1]))
    return found


def test_each_required_disagreement_is_listed_with_both_sources():
    found = _conflicts()
    assert {
        ("exactly 160890000000 CNY", "shenzhen-ic-2022-revenue-587-firms-p6"),
        ("exactly 157840000000 CNY, approximate, estimate", "chipsourcetek-plan-expected-2022-12-p10"),
    } == found["Revenue 2022"]
    assert {
        ("exactly 32.8 %", "people-shenzhen-ic-2023-revenue-p10"),
        ("more than 8 %", "gdstc-bay-area-expo-2023-figures-p4"),
    } == found["Year-on-year growth 2023"]
    issue = found["issue date"]
    assert ("stated: 2022-06-06", "cinic-plan-release-2022-06-p3") in issue
    assert any(s.startswith("claimed:") and p == "chipsourcetek-plan-expected-2022-12-p8" for s, p in issue)
    assert {s for s, _ in found["Number of firms as of 2023-12-31"]} == {"exactly 654", "more than 650"}


def test_agreeing_sources_and_different_measures_are_not_conflicts():
    found = _conflicts()
    # the 2025 revenue target: three sources, one value and bound; 2021 main-business revenue is
    # another measure than 2022 revenue, and the 7 wafer makers are not the 3 producing ones.
    assert not any(key.startswith(("Main-business revenue", "Revenue 2025")) for key in found)
    assert "Number of firms as of 2022-12-31" not in found


def test_industry_series_keeps_bound_scope_and_source():
    rows = [r for r in run_query("get-industry-figures", {"subject": SZ + "cluster/shenzhen-integrated-circuits"})]
    by_figure = {r["figure"].value.rsplit("/", 1)[1]: r for r in rows}
    main = by_figure["shenzhen-ic-main-business-revenue-2021-cinic"]
    assert (main["measure"].value, main["period"].value, main["bound"].value, main["value"].value) == (
        "Main-business revenue",
        "2021",
        "more than",
        "110000000000",
    )
    estimate = by_figure["shenzhen-ic-revenue-2022-chipsourcetek"]
    assert estimate["isEstimate"].value == "true" and estimate["isApproximate"].value == "true"
    design = by_figure["shenzhen-ic-revenue-2023-semiconductor-association"]
    assert design["scope"].value == "Whole integrated-circuit industry" and design["source"].value.startswith("2024")
    target = by_figure["shenzhen-semiconductor-ic-revenue-target-2025-cinic"]
    assert (target["isTarget"].value, target["period"].value) == ("true", "2025")
