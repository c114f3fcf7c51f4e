from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Account, JourneyStage, Seniority
from campaigns import attribution
from campaigns.models import Campaign, Channel, Segment


class CampaignForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Campaign
        fields = ["name", "kind", "status", "channels", "budget", "starts", "ends", "owner"]
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}),
            "ends": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"budget": "Total spend; cost per engaged account and ROI use it."}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__workspace=workspace)
            .order_by("first_name", "email")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.email

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Campaign.objects.for_workspace(self.workspace).filter(name=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A campaign with this name already exists.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", "The end date is before the start date.")
        return data


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").replace(";", ",").split(",") if v.strip()]


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    tiers = forms.MultipleChoiceField(
        choices=[("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3"), ("0", "Not tiered")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_fit = forms.FloatField(required=False, min_value=0, label="Fit score ≥")
    min_intent = forms.FloatField(required=False, min_value=0, label="Intent score ≥")
    min_engagement = forms.FloatField(required=False, min_value=0, label="Engagement score ≥")
    min_priority = forms.FloatField(required=False, min_value=0, label="Priority ≥")
    industries = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    stages = forms.MultipleChoiceField(
        choices=JourneyStage.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    countries = forms.CharField(
        required=False, help_text="ISO codes, comma-separated: US, DE, GB", label="Countries"
    )
    technologies = forms.CharField(
        required=False, help_text="Runs any of, comma-separated: Salesforce, Snowflake"
    )

    def __init__(self, *args, industries: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].choices = [(i, i) for i in industries]

    def filters(self) -> dict:
        data = self.cleaned_data
        out = {
            "tiers": [int(t) for t in data.get("tiers") or []],
            "industries": list(data.get("industries") or []),
            "stages": list(data.get("stages") or []),
            "countries": [c.upper() for c in _split(data.get("countries", ""))],
            "technologies": _split(data.get("technologies", "")),
        }
        for key in ("min_fit", "min_intent", "min_engagement", "min_priority"):
            if data.get(key) is not None:
                out[key] = data[key]
        return {k: v for k, v in out.items() if v not in (None, [], "")}

    @staticmethod
    def initial_from(filters: dict) -> dict:
        initial = dict(filters)
        initial["tiers"] = [str(t) for t in filters.get("tiers", [])]
        initial["countries"] = ", ".join(filters.get("countries", []))
        initial["technologies"] = ", ".join(filters.get("technologies", []))
        return initial


class TargetSegmentForm(forms.Form):
    segment = forms.ModelChoiceField(queryset=Segment.objects.none(), empty_label=None)

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = Segment.objects.for_workspace(workspace).order_by("name")


class TargetUploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with a name and/or domain column (company, website or email work too)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Upload at most 5 MB; split larger lists.")
        return upload


class AssetForm(forms.Form):
    level = forms.ChoiceField(choices=Seniority.choices, label="Buying-committee level")
    title = forms.CharField(max_length=200)
    url = forms.URLField(max_length=500, required=False, assume_scheme="https")


class IpRangeForm(forms.Form):
    account = forms.CharField(
        max_length=255, help_text="Account id or its domain (acme.com)", label="Account"
    )
    cidr = forms.CharField(max_length=64, label="CIDR block", help_text="e.g. 203.0.113.0/24")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace

    def clean_account(self) -> Account:
        value = self.cleaned_data["account"].strip()
        qs = Account.objects.for_workspace(self.workspace)
        account = qs.filter(pk=int(value)).first() if value.isdigit() else None
        if account is None:
            account = qs.filter(domain=value.lower()).order_by("pk").first()
        if account is None:
            raise forms.ValidationError("No account with this id or domain.")
        return account


class PerformanceForm(forms.Form):
    model = forms.ChoiceField(
        choices=list(attribution.MODELS.items()),
        required=False,
        label="Attribution",
        initial=attribution.DEFAULT_MODEL,
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "model": data.get("model") or attribution.DEFAULT_MODEL,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class EventWeightsForm(forms.Form):
    """One number per event kind; the fields are built from the current weights."""

    def __init__(self, *args, weights: dict[str, float], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, weight in weights.items():
            self.fields[kind] = forms.FloatField(
                label=kind.replace("_", " ").capitalize(),
                min_value=0,
                max_value=1000,
                initial=weight,
                widget=forms.NumberInput(attrs={"step": "any", "class": "input-sm"}),
            )
