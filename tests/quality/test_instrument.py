"""The instrument quality report: figures against pingouin and factor_analyzer, None below the minimum."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import diagnose
from diagnose.quality import instrument_quality
from diagnose.quality._simulate import simulate_caseload
from tests.conftest import FIXTURE_KB

if TYPE_CHECKING:
    from tests.conftest import MakeKb

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pingouin and its plotting stack announce deprecations on import
    import pingouin as pg

#: Ten items on a 1-7 scale, as in pingouin's `cronbach_alpha` questionnaire data set.
QUESTIONNAIRE = {
    "instrument.yaml": (
        "\nitems:\n",
        "\n  - id: questionnaire\n"
        "    name: {nl: Vragenlijst, en: Questionnaire}\n"
        "    description: {nl: Tien vragen, en: Ten questions}\n"
        "    influenceable: false\n"
        "    min_answered: 10\n"
        "    thresholds: {medium: 3, high: 5}\n"
        '    sources: ["pingouin cronbach_alpha data set (real-statistics.com)"]\n'
        "\nitems:\n"
        + "".join(
            f"  - id: q{n}\n    factor: questionnaire\n    text: {{nl: Vraag {n}, en: Question {n}}}\n"
            "    scale: {min: 1, max: 7, labels: [{nl: a, en: a}, {nl: b, en: b}, {nl: c, en: c}, "
            "{nl: d, en: d}, {nl: e, en: e}, {nl: f, en: f}, {nl: g, en: g}]}\n"
            for n in range(1, 11)
        ),
    )
}


def public_questionnaire() -> pd.DataFrame:
    """Pingouin's `cronbach_alpha` data set (15 respondents, 10 items, 1-7) in wide form."""
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot_table(index="Subj", columns="Items", values="Scores")
    wide = wide[[f"Q{n}" for n in range(1, 11)]]
    wide.columns = pd.Index([f"q{n}" for n in range(1, 11)])
    frame: pd.DataFrame = wide.reset_index(drop=True)
    return frame


@pytest.fixture
def questionnaire_kb(make_kb: MakeKb) -> diagnose.KnowledgeBase:
    return diagnose.load_knowledge_base(make_kb(QUESTIONNAIRE))  # type: ignore[arg-type]  # an edit pair


def test_alpha_and_feldt_interval_agree_with_pingouin_on_public_data(
    questionnaire_kb: diagnose.KnowledgeBase,
) -> None:
    data = public_questionnaire()
    report = instrument_quality(data, knowledge_base=questionnaire_kb, min_cases=10)
    factor = report.factors["questionnaire"]
    expected, interval = pg.cronbach_alpha(data=data)
    assert factor.n == 15
    assert factor.alpha == pytest.approx(expected, abs=1e-12)
    assert factor.alpha_ci is not None
    # pingouin rounds its interval to three decimals
    assert np.allclose(factor.alpha_ci, interval, atol=5e-4)


def test_alpha_if_deleted_agrees_with_pingouin_on_public_data(
    questionnaire_kb: diagnose.KnowledgeBase,
) -> None:
    data = public_questionnaire()
    report = instrument_quality(data, knowledge_base=questionnaire_kb, min_cases=10)
    for column in data.columns:
        expected, _ = pg.cronbach_alpha(data=data.drop(columns=column))
        assert report.items[column].alpha_if_deleted == pytest.approx(expected, abs=1e-12)


def test_item_rest_is_the_corrected_item_total_correlation(questionnaire_kb: diagnose.KnowledgeBase) -> None:
    data = public_questionnaire()
    report = instrument_quality(data, knowledge_base=questionnaire_kb, min_cases=10)
    total = data.sum(axis=1)
    for column in data.columns:
        expected = np.corrcoef(data[column], total - data[column])[0, 1]
        assert report.items[column].item_rest == pytest.approx(expected, abs=1e-12)


def factor_analyzer_loadings(matrix: np.ndarray) -> np.ndarray:
    from factor_analyzer import FactorAnalyzer

    model = FactorAnalyzer(n_factors=1, rotation=None, method="ml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's deprecation notes about factor_analyzer's calls
        model.fit(matrix)
    loadings = np.asarray(model.loadings_)[:, 0]
    return loadings if loadings.sum() > 0 else -loadings


def omega_of(loadings: np.ndarray) -> float:
    common = loadings.sum() ** 2
    return float(common / (common + (1 - loadings**2).sum()))


def test_loadings_and_omega_agree_with_factor_analyzer_on_public_data(
    questionnaire_kb: diagnose.KnowledgeBase,
) -> None:
    data = public_questionnaire()
    factor = instrument_quality(data, knowledge_base=questionnaire_kb, min_cases=10).factors["questionnaire"]
    expected = factor_analyzer_loadings(data.to_numpy(dtype=float))
    assert factor.loadings is not None
    assert np.allclose(list(factor.loadings.values()), expected, atol=1e-3)
    assert factor.omega == pytest.approx(omega_of(expected), abs=1e-3)


def test_figures_agree_with_the_peers_on_generated_data_with_a_reverse_item(
    fixture_kb: diagnose.KnowledgeBase,
) -> None:
    """se_4 is reverse-keyed: the report scores it reversed before alpha, as the peers get it."""
    caseload = simulate_caseload(fixture_kb, 3000, seed=5)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    frame = pd.DataFrame(caseload.rows)[["se_1", "se_2", "se_3", "se_4"]]
    frame = frame.apply(pd.to_numeric, errors="coerce").dropna()
    frame["se_4"] = 6 - frame["se_4"]
    factor = report.factors["self_efficacy"]
    expected, interval = pg.cronbach_alpha(data=frame)
    assert factor.n == len(frame)
    assert factor.alpha == pytest.approx(expected, abs=1e-12)
    assert np.allclose(factor.alpha_ci or (), interval, atol=5e-4)
    loadings = factor_analyzer_loadings(frame.to_numpy(dtype=float))
    assert np.allclose(list((factor.loadings or {}).values()), loadings, atol=1e-3)
    assert factor.omega == pytest.approx(omega_of(loadings), abs=1e-3)


def test_listwise_alpha_agrees_with_pingouin_on_public_data_with_gaps(make_kb: MakeKb) -> None:
    """Pingouin's `cronbach_wide_missing`: 12 respondents, 11 yes/no items, some missing."""
    data = pg.read_dataset("cronbach_wide_missing")
    edit = QUESTIONNAIRE["instrument.yaml"]
    text = (
        edit[1]
        .replace("min_answered: 10", "min_answered: 11")
        .replace("{medium: 3, high: 5}", "{medium: 0.4, high: 0.7}")
    )
    items = "".join(
        f"  - id: q{n}\n    factor: questionnaire\n    text: {{nl: Vraag {n}, en: Question {n}}}\n"
        "    scale: {min: 0, max: 1, labels: [{nl: nee, en: no}, {nl: ja, en: yes}]}\n"
        for n in range(1, 12)
    )
    text = text[: text.index("\nitems:\n")] + "\nitems:\n" + items
    kb = diagnose.load_knowledge_base(make_kb({"instrument.yaml": (edit[0], text)}))
    rows = data.rename(columns={f"Q{n}": f"q{n}" for n in range(1, 12)})
    factor = instrument_quality(rows, knowledge_base=kb, min_cases=5).factors["questionnaire"]
    expected, _ = pg.cronbach_alpha(data=data, nan_policy="listwise")
    complete = data.dropna()
    _, interval = pg.cronbach_alpha(data=complete)  # pingouin's own interval counts the dropped rows
    assert factor.n == len(complete) == 9
    assert factor.alpha == pytest.approx(expected, abs=1e-12)
    assert np.allclose(factor.alpha_ci or (), interval, atol=5e-4)


def test_a_wrong_reverse_key_is_found(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 2000, seed=3, wrong_key="se_2")
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    negative = [w for w in report.warnings if w.code == "negative_item_rest"]
    assert [w.item for w in negative] == ["se_2"]
    assert negative[0].message.startswith("item 'se_2': correlates negatively (")
    assert negative[0].message.endswith(
        " with the rest of 'self_efficacy'; check its reverse key and its wording"
    )
    assert (report.items["se_2"].item_rest or 0) < 0 < (report.items["se_1"].item_rest or 0)


def test_rates_keep_not_asked_declined_and_unknown_apart(fixture_kb: diagnose.KnowledgeBase) -> None:
    rows: list[dict[str, object]] = [
        {"se_1": 1},
        {"se_1": "declined"},
        {"se_1": "unknown"},
        {"se_1": "not_asked"},
        {},
    ]
    item = instrument_quality(rows, knowledge_base=fixture_kb, min_cases=5).items["se_1"]
    assert (item.n, item.missing_rate, item.declined_rate, item.unknown_rate) == (1, 0.4, 0.2, 0.2)
    assert (item.floor, item.ceiling) == (None, None)  # one answer is too few


def test_floor_and_ceiling_are_shares_of_the_answers(fixture_kb: diagnose.KnowledgeBase) -> None:
    rows = [{"he_1": 1 if n < 3 else 5 if n < 9 else 3} for n in range(20)] + [{"he_1": "declined"}]
    report = instrument_quality(rows, knowledge_base=fixture_kb, min_cases=20)
    item = report.items["he_1"]
    assert (item.n, item.floor, item.ceiling) == (20, 0.15, 0.3)
    assert [(w.code, w.item) for w in report.warnings if w.item == "he_1"] == [("ceiling", "he_1")]


CASES = [
    # (complete cases, min_cases): the figures are given exactly when there are enough
    (29, 30),
    (30, 30),
    (5, 5),
    (4, 5),
]


@pytest.mark.parametrize(("n", "minimum"), CASES)
def test_figures_are_none_below_the_minimum_never_a_number(
    fixture_kb: diagnose.KnowledgeBase, n: int, minimum: int
) -> None:
    caseload = simulate_caseload(fixture_kb, n, seed=n, declined_share=0)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, min_cases=minimum)
    factor = report.factors["motivation"]
    figures = (factor.alpha, factor.alpha_ci, factor.omega, factor.mean, factor.sd, factor.level_shares)
    item = report.items["mo_1"]
    if n < minimum:
        assert figures == (None,) * 6
        assert (item.item_rest, item.alpha_if_deleted, item.floor) == (None, None, None)
        assert (
            f"factor 'motivation': {n} complete cases, fewer than {minimum}; its figures are not shown"
            in [w.message for w in report.warnings]
        )
    else:
        assert all(f is not None for f in figures[:2] + figures[3:])
        assert item.item_rest is not None
        assert "too_few_cases" not in {w.code for w in report.warnings}


def test_levels_and_means_are_those_of_the_scoring(fixture_kb: diagnose.KnowledgeBase) -> None:
    """Invariant: level shares and mean over complete cases equal those of `diagnose.assess`."""
    caseload = simulate_caseload(fixture_kb, 400, seed=11)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    for factor_id, factor in report.factors.items():
        scores = []
        for row in caseload.rows:
            s = diagnose.assess(row, knowledge_base=fixture_kb).profile.scores[factor_id]
            if not s.missing:
                scores.append((s.score, s.level))
        assert factor.n == len(scores)
        assert factor.mean == pytest.approx(np.mean([s for s, _ in scores]), abs=1e-12)
        assert factor.level_shares == {
            level: sum(lv == level for _, lv in scores) / len(scores) for level in ("low", "medium", "high")
        }


def test_every_input_form_gives_the_same_report(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 200, seed=2)
    expected = instrument_quality(caseload.rows, knowledge_base=fixture_kb)
    frame = pd.DataFrame(caseload.rows)
    forms: list[object] = [
        frame,
        [diagnose.Intake.model_validate({"answers": row}) for row in caseload.rows],
        [{"answers": row, "context": {}} for row in caseload.rows],
        [diagnose.assess(row, knowledge_base=fixture_kb) for row in caseload.rows],
    ]
    for form in forms:
        assert instrument_quality(form, knowledge_base=fixture_kb) == expected


def test_an_arrow_table_gives_the_same_report(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 200, seed=2, declined_share=0)
    rows = [
        {k: v for k, v in row.items() if k != "he_3" or n % 4 != 1} for n, row in enumerate(caseload.rows)
    ]
    table = pa.Table.from_pylist(rows)
    assert table.column("he_3").null_count == 50
    assert instrument_quality(table, knowledge_base=fixture_kb) == instrument_quality(
        rows, knowledge_base=fixture_kb
    )


def test_the_report_reads_back_from_its_json(fixture_kb: diagnose.KnowledgeBase) -> None:
    caseload = simulate_caseload(fixture_kb, 300, seed=4)
    report = instrument_quality(caseload.rows, knowledge_base=fixture_kb, outcomes=caseload.outcomes)
    assert diagnose.InstrumentQuality.model_validate_json(report.model_dump_json()) == report
    assert report.note.startswith("This report validates the instrument")


ANSWER = st.one_of(st.integers(1, 5), st.sampled_from(["declined", "unknown", "not_asked"]), st.none())


@given(st.lists(st.dictionaries(st.sampled_from(["se_1", "se_2", "se_3", "se_4"]), ANSWER), max_size=60))
def test_every_row_is_counted_once_per_item(rows: list[dict[str, object]]) -> None:
    """Invariant: per item, answered + not asked + declined + unknown make up every row.

    And the complete cases of a factor are exactly the rows that answered all its items.
    """
    kb = diagnose.load_knowledge_base(FIXTURE_KB)
    cleaned = [{k: v for k, v in row.items() if v is not None} for row in rows]
    report = instrument_quality(cleaned, knowledge_base=kb, min_cases=5)
    for item_id in ("se_1", "se_2", "se_3", "se_4"):
        item = report.items[item_id]
        if rows:
            shares = (item.missing_rate or 0) + (item.declined_rate or 0) + (item.unknown_rate or 0)
            assert item.n + round(shares * len(rows)) == len(rows)
        else:
            assert (item.n, item.missing_rate) == (0, None)
    complete = sum(
        all(isinstance(row.get(i), int) for i in ("se_1", "se_2", "se_3", "se_4")) for row in cleaned
    )
    assert report.factors["self_efficacy"].n == complete
