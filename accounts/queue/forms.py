"""Forms for queue actions, the activity logger, assignment rules and the capacity planner."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from accounts.queue.activities import OUTCOMES
from accounts.queue.capacity import DealBand

ACTIVITY_KINDS = [
    ("call", "Call"),
    ("email", "Email"),
    ("meeting", "Meeting"),
    ("linkedin", "LinkedIn touch"),
    ("note", "Note"),
]


def _outcome_choices():
    choices = [("", "Outcome…")]
    for kind, label in ACTIVITY_KINDS:
        pairs = [(k, v) for k, v in OUTCOMES[kind] if k]
        if pairs:
            choices.append((label, pairs))
    return choices


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ACTIVITY_KINDS, initial="call")
    outcome = forms.ChoiceField(choices=_outcome_choices, required=False)
    contact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="With")
    note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What happened?"}),
    )
    next_step = forms.CharField(
        required=False,
        max_length=500,
        label="Next step",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Send the security brief to the CISO"}),
    )
    next_step_due = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "Account (no one in particular)")] + [
            (c.pk, f"{c.full_name or c.email}{' · ' + c.title if c.title else ''}")
            for c in contacts
        ]

    def clean(self):
        data = super().clean()
        kind, outcome = data.get("kind"), data.get("outcome") or ""
        if kind and outcome and outcome not in {k for k, _ in OUTCOMES[kind]}:
            self.add_error("outcome", "That outcome does not fit this kind of activity.")
        if kind == "note" and not (data.get("note") or "").strip():
            self.add_error("note", "A note needs some text.")
        if data.get("next_step_due") and not (data.get("next_step") or "").strip():
            self.add_error("next_step", "Describe the next step you are scheduling.")
        return data

    def due_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("next_step_due")
        if not day:
            return None
        # Due at the end of the working day, in the server's time zone.
        return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


class NextStepForm(forms.Form):
    text = forms.CharField(max_length=500)
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SnoozeForm(forms.Form):
    until = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=255)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("Snooze until a day in the future.")
        return until


class LeadMoveForm(forms.Form):
    to_status = forms.ChoiceField(
        choices=[("mql", "MQL"), ("sal", "SAL"), ("sql", "SQL"), ("disqualified", "Disqualified")]
    )
    reason = forms.CharField(required=False, max_length=255)


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    position = forms.IntegerField(min_value=0, initial=100, help_text="Lower runs first.")
    countries = forms.CharField(
        required=False, help_text="ISO codes, comma-separated (US, CA). Empty: any country."
    )
    regions = forms.CharField(
        required=False,
        help_text="Sales zones (NA, LATAM, EMEA, APAC) or states/regions. Empty: anywhere.",
    )
    industries = forms.CharField(required=False, help_text="Comma-separated. Empty: any industry.")
    min_tier = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any tier"), (1, "Tier 1 only"), (2, "Tier 1–2"), (3, "Tier 1–3")],
        label="Tiers",
    )
    sdrs = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="SDRs",
        help_text="Round robin between these. None ticked: every SDR.",
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, sdr_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sdrs"].choices = list(sdr_choices)

    @staticmethod
    def split(value: str) -> list[str]:
        return [part.strip() for part in (value or "").split(",") if part.strip()]


class CapacityForm(forms.Form):
    """Planner inputs; percentages are typed as 0–100."""

    arr_target = forms.DecimalField(
        min_value=1, max_digits=14, decimal_places=0, initial=2_000_000, label="ARR target"
    )
    sdr_count = forms.IntegerField(min_value=1, max_value=10_000, initial=10, label="SDRs")
    account_rate = forms.DecimalField(
        min_value=0.1,
        max_value=100,
        decimal_places=2,
        initial=20,
        label="Accounts → opportunity (%)",
        help_text="Share of worked accounts that turn into an opportunity.",
    )

    BANDS = [
        ("small", "Small deals", 1_500, 30, 0),
        ("mid", "Mid-market", 5_000, 20, 100),
        ("large", "Enterprise", 15_000, 10, 0),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, mrr, rate, share in self.BANDS:
            self.fields[f"{key}_mrr"] = forms.DecimalField(
                min_value=1, max_digits=12, decimal_places=0, initial=mrr, label=f"{label}: avg MRR"
            )
            self.fields[f"{key}_rate"] = forms.DecimalField(
                min_value=0.1, max_value=100, decimal_places=2, initial=rate, label="Close rate (%)"
            )
            self.fields[f"{key}_share"] = forms.DecimalField(
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=share,
                label="Pipeline share (%)",
            )

    def band_rows(self):
        return [
            {
                "key": key,
                "label": label,
                "mrr": self[f"{key}_mrr"],
                "rate": self[f"{key}_rate"],
                "share": self[f"{key}_share"],
            }
            for key, label, *_ in self.BANDS
        ]

    def clean(self):
        data = super().clean()
        shares = [data.get(f"{key}_share") for key, *_ in self.BANDS]
        if all(s is not None for s in shares) and abs(float(sum(shares)) - 100) > 0.1:
            raise forms.ValidationError(
                f"Pipeline shares must add up to 100% (they add up to {float(sum(shares)):g}%)."
            )
        return data

    def bands(self) -> list[DealBand]:
        data = self.cleaned_data
        return [
            DealBand(
                name=label,
                avg_mrr=float(data[f"{key}_mrr"]),
                close_rate=float(data[f"{key}_rate"]) / 100,
                share=float(data[f"{key}_share"]) / 100,
            )
            for key, label, *_ in self.BANDS
            if float(data[f"{key}_share"]) > 0
        ]
