"""Pure scoring engine against hand-computed cases (no database)."""

import numpy as np
import pandas as pd
import pytest

from scoring.engine import priority as prio
from scoring.engine import rules, signals
from scoring.engine.compose import Params, all_reasons, score
from scoring.engine.frames import decay
from scoring.engine.predictive import NotEnoughOutcomes, lift_by_decile, train

CRITERIA = rules.validate(
    [
        {"field": "industry", "op": "in", "values": ["Software"], "weight": 30},
        {"field": "employees", "op": "between", "min": 200, "max": 5000, "weight": 20},
        {"field": "country", "op": "in", "values": ["US"], "weight": 10},
        {"field": "technologies", "op": "any", "values": ["Salesforce"], "weight": 20},
        {"field": "technologies", "op": "none", "values": ["Zoho"], "weight": 10},
        {"field": "hierarchy", "op": "is_child", "weight": 10},
    ]
)


def _accounts():
    return pd.DataFrame(
        {
            "id": [1, 2, 3],
            "industry": ["Software", "Retail", "software "],
            "employees": [1000, 100, np.nan],
            "annual_revenue": [5e7, 1e6, np.nan],
            "country": ["US", "DE", "us"],
            "region": ["North America", "EMEA", ""],
            "technologies": [["Salesforce", "AWS"], ["Zoho"], []],
            "has_parent": [True, False, False],
            "has_children": [False, False, False],
        }
    )


def test_icp_score_is_the_weighted_share_of_met_criteria():
    # when
    result = rules.evaluate(_accounts(), CRITERIA)
    # then: all met; nothing met; industry (30) + country (10) met, case-insensitively
    assert result.score.tolist() == [100.0, 0.0, 40.0]


def test_icp_reasons_say_met_missed_and_unknown():
    result = rules.evaluate(_accounts(), CRITERIA)
    reasons = {r["text"]: r for r in result.reasons(2)}
    assert reasons["Industry in Software"] == {
        "text": "Industry in Software",
        "status": "met",
        "points": 30.0,
        "max": 30.0,
    }
    assert reasons["Employees 200–5,000"]["status"] == "unknown"
    assert reasons["Uses any of Salesforce"]["status"] == "unknown"
    assert reasons["Part of a larger group (has a parent account)"]["status"] == "missed"
    missed = {r["text"]: r["status"] for r in result.reasons(1)}
    assert missed["Uses none of Zoho"] == "missed"


def test_icp_weights_are_relative():
    criteria = rules.validate(
        [
            {"field": "industry", "op": "in", "values": ["Retail"], "weight": 3},
            {"field": "region", "op": "in", "values": ["EMEA"], "weight": 1},
        ]
    )
    frame = pd.DataFrame({"industry": ["Software"], "region": ["EMEA"]})
    assert rules.evaluate(frame, criteria).score.tolist() == [25.0]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([{"field": "shoe_size", "op": "in", "values": ["9"], "weight": 1}], "unknown field"),
        (
            [{"field": "employees", "op": "between", "min": 10, "max": 5, "weight": 1}],
            "minimum is above",
        ),
        ([{"field": "industry", "op": "in", "values": [], "weight": 1}], "at least one value"),
        ([{"field": "industry", "op": "between", "min": 1, "weight": 1}], "takes in, not_in"),
        ([{"field": "industry", "op": "in", "values": ["x"], "weight": 0}], "weight must be"),
    ],
)
def test_invalid_profiles_are_refused_with_a_clear_message(criteria, message):
    with pytest.raises(rules.InvalidCriteria, match=message):
        rules.validate(criteria)


def test_decay_halves_every_half_life():
    assert decay(np.array([0, 14, 28]), 14).tolist() == [1.0, 0.5, 0.25]


def test_intent_decays_with_the_configured_half_life():
    frame = pd.DataFrame(
        {
            "idx": [0, 1],
            "topic": ["crm", "crm"],
            "strength": [150.0, 150.0],
            "age_days": [0.0, 14.0],
        }
    )
    result = signals.intent_scores(frame, 3, half_life_days=14)
    # 150 today → 100·150/(150+150) = 50; 75 after one half-life → 100·75/225 = 33.33
    assert result.score.tolist() == [50.0, 33.33, 0.0]


def test_a_surge_is_measured_against_the_accounts_own_baseline():
    frame = pd.DataFrame(
        {
            "idx": [0, 0, 0, 1, 1, 1, 2],
            "topic": ["crm"] * 7,
            "strength": [20.0, 20.0, 40.0, 20.0, 20.0, 25.0, 90.0],
            "age_days": [30.0, 60.0, 3.0, 30.0, 60.0, 3.0, 3.0],
        }
    )
    result = signals.intent_scores(frame, 3, half_life_days=1000, surge_ratio=1.5)
    # account 0: recent 40 ≥ 1.5 × baseline 20; account 1: 25 < 30; account 2: no baseline
    assert result.surging.tolist() == [True, False, False]
    assert result.surge_topics[0] == ["crm"]
    assert result.score[0] == pytest.approx(result.base[0] + 20, abs=0.01)


def test_trigger_boost_uses_the_strongest_decayed_trigger():
    triggers = pd.DataFrame(
        {"idx": [0, 0, 1], "kind": ["funding", "hiring", "funding"], "age_days": [45.0, 0.0, 0.0]}
    )
    boost, why = signals.trigger_boosts(triggers, 3, half_life_days=45)
    # funding 30 × 0.5 = 15 ties hiring 15 today; funding today = 30; none = 0
    assert boost.tolist() == [15.0, 30.0, 0.0]
    assert why[1] == "Raised funding today"


def test_engagement_combines_volume_breadth_levels_and_recency():
    events = pd.DataFrame(
        {
            "idx": [0],
            "kind": ["meeting"],
            "weight": [1.0],
            "age_days": [0.0],
            "contact_id": [7.0],
            "seniority": ["director"],
        }
    )
    result = signals.engagement_scores(events, 2, half_life_days=30)
    # volume 100·15/55 = 27.27; people 1/5 → 20; levels 1/3 → 33.3; recency 100
    # 0.6·27.27 + 0.2·20 + 0.1·33.33 + 0.1·100 = 33.70
    assert result.score.tolist() == [33.7, 0.0]


def test_engagement_breadth_counts_distinct_people_and_levels_in_90_days():
    events = pd.DataFrame(
        {
            "idx": [0] * 7,
            "kind": ["email_open"] * 7,
            "weight": [1.0] * 7,
            "age_days": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 200.0],
            "contact_id": [1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 9.0],
            "seniority": [
                "c_level_vp",
                "director",
                "practitioner",
                "director",
                "",
                "",
                "c_level_vp",
            ],
        }
    )
    result = signals.engagement_scores(events, 1)
    assert result.people.tolist() == [5.0]
    assert result.levels.tolist() == [[True, True, True]]
    assert result.touches.tolist() == [6.0]


def test_priority_is_the_weighted_mean_of_the_three_scores():
    policy = prio.Policy(weight_fit=0.5, weight_intent=0.25, weight_engagement=0.25)
    # 0.5·80 + 0.25·40 + 0.25·20 = 55
    assert prio.priority_scores(
        np.array([80.0]), np.array([40.0]), np.array([20.0]), policy
    ).tolist() == [55.0]


def test_tiers_are_ranks_within_the_workspace():
    # 10 accounts, Tier 1 = top 10 % (1 account), Tier 2 = next 30 % (3 accounts)
    policy = prio.Policy(tier1_share=10, tier2_share=30, tier1_cap=None)
    priority = np.array([40.0, 100.0, 10.0, 90.0, 20.0, 80.0, 30.0, 70.0, 60.0, 50.0])
    tiers = prio.assign_tiers(priority, np.zeros(10), policy)
    assert tiers.tolist() == [3, 1, 3, 2, 3, 2, 3, 2, 3, 3]


def test_caps_squeeze_tier_one_into_tier_two_and_cut_tier_two():
    # 100 accounts: 5 % would be 5 Tier-1 accounts, the cap keeps 2; Tier 2 is the next 20 %
    # (20 accounts) starting right after them, cut to its cap of 15
    policy = prio.Policy(tier1_share=5, tier2_share=20, tier1_cap=2, tier2_cap=15)
    priority = np.arange(100, 0, -1, dtype=float)  # 100, 99, … 1: row i has rank i
    tiers = prio.assign_tiers(priority, np.zeros(100), policy)
    assert tiers[:2].tolist() == [1, 1]
    assert tiers[2:17].tolist() == [2] * 15
    assert set(tiers[17:].tolist()) == {3}


def test_a_small_workspace_rounds_shares_up():
    # 3 accounts: 5 % of 3 = 0.15 → 1 Tier-1 account, 20 % of 3 = 0.6 → 1 Tier-2 account
    assert prio.tier_sizes(3, prio.Policy()) == (1, 1)
    tiers = prio.assign_tiers(np.array([30.0, 70.0, 50.0]), np.zeros(3), prio.Policy())
    assert tiers.tolist() == [3, 1, 2]
    assert prio.assign_tiers(np.array([]), np.array([]), prio.Policy()).tolist() == []


def test_a_tie_on_priority_and_fit_goes_to_the_account_added_first():
    # three accounts at priority 80: fit decides first (90 beats 10), then the lower id
    priority = np.array([80.0, 80.0, 80.0])
    fit = np.array([10.0, 90.0, 90.0])
    tiers = prio.assign_tiers(priority, fit, prio.Policy(), ids=np.array([1, 7, 4]))
    assert tiers.tolist() == [3, 2, 1]


def test_floors_keep_weak_accounts_out_of_a_tier():
    # 10 accounts, 10 % + 30 %: by rank 1 + 3, but Tier 1 needs 75 and Tier 2 needs 55
    policy = prio.Policy(tier1_share=10, tier2_share=30, tier1_min=75, tier2_min=55)
    tiers = prio.assign_tiers(np.array([70.0, 60.0, 50.0, 40.0, 30.0, 20.0, 10.0, 5.0, 2.0,
                                        1.0]), np.zeros(10), policy)  # fmt: skip
    # nobody reaches 75; Tier 2 starts at the top and takes 3 places, but only 2 pass 55
    assert tiers.tolist() == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3]


def test_tier_cap_ties_are_broken_by_fit():
    policy = prio.Policy(tier1_min=75, tier1_cap=1)
    tiers = prio.assign_tiers(np.array([80.0, 80.0]), np.array([10.0, 90.0]), policy)
    assert tiers.tolist() == [2, 1]


def test_falling_customer_engagement_is_a_churn_risk_and_rising_is_expansion():
    events = pd.DataFrame(
        {
            "idx": [0, 0, 1, 1],
            "kind": ["call"] * 4,  # 5 points each
            "weight": [12.0, 1.0, 1.0, 10.0],
            "age_days": [45.0, 5.0, 45.0, 5.0],
        }
    )
    result = signals.customer_health(
        events,
        3,
        is_customer=np.array([True, True, False]),
        engagement=np.array([20.0, 60.0, 50.0]),
    )
    # account 0: prior 60 points in 60 days = 30/month, recent 5 → trend 1/6
    assert result.trend[0] == pytest.approx(1 / 6)
    assert result.churn_risk.tolist() == [True, False, False]
    assert result.expansion.tolist() == [False, True, False]
    assert result.health[0] == pytest.approx(0.5 * 20 + 50 / 6, abs=0.01)
    assert np.isnan(result.health[2])


def test_training_refuses_with_too_few_outcomes():
    frame = pd.DataFrame({"industry": ["Software"] * 35, "employees": [100] * 35})
    won = np.array([True] * 5 + [False] * 30)
    with pytest.raises(NotEnoughOutcomes) as refused:
        train(frame, won, min_per_class=20)
    assert (
        str(refused.value)
        == "needs at least 20 won and 20 lost accounts; you have 5 won and 30 lost"
    )


def _synthetic(n=600, seed=1):
    rng = np.random.default_rng(seed)
    industry = rng.choice(["Software", "Retail", "Government"], n)
    employees = rng.lognormal(6, 1.5, n).round()
    techs = [["Snowflake"] if r < 0.3 else ["Zoho"] for r in rng.random(n)]
    logit = (
        np.select([industry == "Software", industry == "Government"], [1.5, -1.5], 0)
        + 0.8 * np.array([t == ["Snowflake"] for t in techs])
        - 0.5
    )
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "industry": industry,
            "employees": employees,
            "country": "US",
            "annual_revenue": employees * 1e5,
            "technologies": techs,
        }
    )
    return frame, won


def test_predictive_model_learns_and_explains_in_plain_words():
    frame, won = _synthetic()
    model = train(frame, won)
    m = model.metrics
    assert m["cv_auc"] > 0.7
    assert m["lift"][0]["decile"] == 10
    assert m["lift"][0]["lift"] > 1.3
    assert any("Industry is" in f["text"] for f in m["top_features"][:3])
    probs = model.predict(frame.head(3))
    assert ((probs >= 0) & (probs <= 100)).all()
    reasons = model.reasons(frame[frame["industry"] == "Government"].head(1))
    assert reasons[0][0]["text"] == "Industry is Government"
    assert reasons[0][0]["effect"] < 0


def test_lift_by_decile_on_a_perfect_ranking():
    y = np.array([1] * 10 + [0] * 90)
    p = np.linspace(1, 0, 100)
    lift = lift_by_decile(y, p)
    assert lift[0] == {"decile": 10, "accounts": 10, "win_rate": 1.0, "lift": 10.0}
    assert lift[-1]["win_rate"] == 0.0


def test_a_full_pass_scores_explains_and_tiers_accounts():
    accounts = _accounts().assign(is_customer=[False, False, False])
    events = pd.DataFrame(
        {
            "idx": [0],
            "kind": ["meeting"],
            "weight": [1.0],
            "age_days": [0.0],
            "contact_id": [1.0],
            "seniority": ["director"],
        }
    )
    params = Params(policy=prio.Policy(tier1_min=60, tier1_cap=1))
    scored = score(accounts, criteria=CRITERIA, events=events, params=params)
    f = scored.frame
    # priority = 0.5·100 + 0.25·0 + 0.25·33.7 = 58.43
    assert f["priority"].tolist()[0] == pytest.approx(58.43, abs=0.01)
    assert f["tier"].tolist() == [2, 3, 3]
    reasons = all_reasons(scored)
    assert reasons[0]["engagement"][0] == "1 touches in 90 days from 1 person"
    assert reasons[0]["fit"][0]["status"] == "met"
