"""The filter bar: renders the URL filters (`from`, `to`, `tier`, `segment`, `campaign`, `owner`)."""

from __future__ import annotations

from django import forms

from dashboards.filters import SEGMENTS, TIERS, DashboardFilters


class DashboardFilterForm(forms.Form):
    from_ = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tier = forms.ChoiceField(label="Tier", required=False)
    segment = forms.ChoiceField(label="Segment", required=False)
    campaign = forms.ChoiceField(label="Campaign", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *, filters: DashboardFilters, campaigns, owners, extra: dict | None = None):
        initial = {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "tier": filters.tier,
            "segment": filters.segment,
            "campaign": str(filters.campaign or ""),
            "owner": str(filters.owner or ""),
        }
        super().__init__(data=initial)
        # the URL parameter is "from" (a Python keyword): rename the field after construction
        self.fields["from"] = self.fields.pop("from_")
        self.order_fields(["from", "to", "tier", "segment", "campaign", "owner"])
        self.fields["tier"].choices = [("", "All tiers"), *TIERS.items()]
        self.fields["segment"].choices = [("", "All segments"), *SEGMENTS.items()]
        self.fields["campaign"].choices = [
            ("", "All campaigns"),
            *[(str(pk), name) for pk, name in campaigns],
        ]
        self.fields["owner"].choices = [
            ("", "All owners"),
            *[(str(pk), name) for pk, name in owners],
        ]
        for name, value in (extra or {}).items():
            self.fields[name] = forms.CharField(widget=forms.HiddenInput, required=False)
            self.data[name] = value
        for name in ("tier", "segment", "campaign", "owner"):
            self.fields[name].widget.attrs["data-autosubmit"] = ""
