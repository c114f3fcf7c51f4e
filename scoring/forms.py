"""Forms for the scoring pages: the ICP criteria editor (rows of inputs) and settings."""

from __future__ import annotations

from django import forms
from django.http import QueryDict

from scoring.engine import rules
from scoring.models import ScoringSettings

FIELD_CHOICES = [
    ("industry", "Industry"),
    ("employees", "Employees"),
    ("annual_revenue", "Annual revenue"),
    ("country", "Country"),
    ("region", "Region"),
    ("technologies", "Technologies"),
    ("hierarchy", "Company hierarchy"),
]
OP_CHOICES = [
    ("in", "is one of"),
    ("not_in", "is not one of"),
    ("between", "is between"),
    ("any", "uses any of"),
    ("all", "uses all of"),
    ("none", "uses none of"),
    ("is_child", "has a parent account"),
    ("is_parent", "is a parent account"),
    ("standalone", "is standalone"),
]
DEFAULT_OP = {
    "industry": "in", "country": "in", "region": "in", "employees": "between",
    "annual_revenue": "between", "technologies": "any", "hierarchy": "is_child",
}  # fmt: skip
BLANK_ROWS = 2


class ProfileForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(
        required=False, max_length=255, label="What changed",
        help_text="Kept with this version in the history.",
    )  # fmt: skip


def criteria_rows(criteria: list[dict], blank: int = BLANK_ROWS) -> list[dict]:
    """Rows for the editor table: the saved criteria plus a few empty ones to fill in."""
    rows = []
    for c in criteria:
        rows.append(
            {
                "field": c.get("field", ""),
                "op": c.get("op", ""),
                "values": ", ".join(str(v) for v in c.get("values", [])),
                "min": "" if c.get("min") is None else f"{c['min']:g}",
                "max": "" if c.get("max") is None else f"{c['max']:g}",
                "weight": f"{float(c.get('weight', 0)):g}",
                "label": c.get("label", ""),
            }
        )
    rows += [{"field": "", "op": "", "values": "", "min": "", "max": "", "weight": "10",
              "label": ""} for _ in range(blank)]  # fmt: skip
    return rows


def parse_criteria(data: QueryDict) -> tuple[list[dict], list[dict]]:
    """Read `c-<i>-<part>` inputs into criteria. Returns (raw rows for re-display, criteria).

    Rows without a field or marked for removal are skipped; validation happens in
    rules.validate so the form, the API and the services agree on what is valid.
    """
    indexes = sorted(
        {
            int(key.split("-")[1])
            for key in data
            if key.startswith("c-") and key.split("-")[1].isdigit()
        }
    )
    raw_rows, criteria = [], []
    for i in indexes:
        row = {part: data.get(f"c-{i}-{part}", "").strip()
               for part in ("field", "op", "values", "min", "max", "weight", "label")}  # fmt: skip
        if data.get(f"c-{i}-remove"):
            continue
        raw_rows.append(row)
        if not row["field"]:
            continue
        op = row["op"] or DEFAULT_OP.get(row["field"], "")
        criterion: dict = {"field": row["field"], "op": op, "weight": row["weight"] or "0"}
        if op == "between":
            criterion["min"] = row["min"] or None
            criterion["max"] = row["max"] or None
        elif row["field"] != "hierarchy":
            criterion["values"] = [v.strip() for v in row["values"].split(",") if v.strip()]
        if row["label"]:
            criterion["label"] = row["label"]
        criteria.append(criterion)
    return raw_rows, criteria


def validated_criteria(data: QueryDict) -> tuple[list[dict], list[dict] | None, str]:
    rows, criteria = parse_criteria(data)
    if not criteria:
        return rows, None, "Add at least one criterion."
    try:
        return rows, rules.validate(criteria), ""
    except (rules.InvalidCriteria, ValueError) as exc:
        return rows, None, str(exc)


class ScoringSettingsForm(forms.ModelForm):
    class Meta:
        model = ScoringSettings
        fields = [
            "weight_fit", "weight_intent", "weight_engagement", "tier1_share", "tier1_cap",
            "tier2_share", "tier2_cap", "tier1_min", "tier2_min", "mqa_fit_min", "mqa_points",
            "mqa_min_contacts",
            "intent_half_life_days", "engagement_half_life_days", "trigger_half_life_days",
            "surge_ratio", "use_predictive_fit",
        ]  # fmt: skip
        labels = {
            "weight_fit": "Fit weight",
            "weight_intent": "Intent weight",
            "weight_engagement": "Engagement weight",
            "tier1_share": "Tier 1: top % of accounts",
            "tier2_share": "Tier 2: next % of accounts",
            "tier1_cap": "Most Tier-1 accounts",
            "tier2_cap": "Most Tier-2 accounts",
            "tier1_min": "Tier 1 needs priority at least",
            "tier2_min": "Tier 2 needs priority at least",
            "mqa_fit_min": "MQA: fit at least",
            "mqa_points": "MQA: engagement points in the journey window",
            "mqa_min_contacts": "MQA: from at least this many people",
            "intent_half_life_days": "Intent half-life (days)",
            "engagement_half_life_days": "Engagement half-life (days)",
            "trigger_half_life_days": "Trigger half-life (days)",
            "surge_ratio": "Surge: recent vs baseline ×",
            "use_predictive_fit": "Blend the active predictive model into fit",
        }

    def clean(self):
        data = super().clean()
        weights = [data.get(k) or 0 for k in ("weight_fit", "weight_intent", "weight_engagement")]
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise forms.ValidationError("Weights must be zero or more, and not all zero.")
        for name in ("tier1_share", "tier2_share"):
            if not 0 <= (data.get(name) or 0) <= 100:
                self.add_error(name, "A share is a percentage between 0 and 100.")
        if (data.get("tier1_share") or 0) + (data.get("tier2_share") or 0) > 100:
            raise forms.ValidationError("Tier 1 and Tier 2 together cannot pass 100 %.")
        if (data.get("mqa_min_contacts") or 0) < 1:
            self.add_error("mqa_min_contacts", "At least one person.")
        for name in (
            "intent_half_life_days",
            "engagement_half_life_days",
            "trigger_half_life_days",
        ):
            if (data.get(name) or 0) <= 0:
                self.add_error(name, "A half-life must be more than zero days.")
        return data
