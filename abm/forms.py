from django import forms

from abm.models import Role


class MemberInviteForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ThresholdsForm(forms.Form):
    match_auto_threshold = forms.FloatField(min_value=0, max_value=1, label="Auto-link above")
    match_review_threshold = forms.FloatField(min_value=0, max_value=1, label="Review above")
    sla_hours = forms.IntegerField(
        min_value=1, max_value=24 * 30, label="SLA to first touch (hours)"
    )

    def clean(self):
        data = super().clean()
        auto, review = data.get("match_auto_threshold"), data.get("match_review_threshold")
        if auto is not None and review is not None and review > auto:
            raise forms.ValidationError(
                "The review threshold must not exceed the auto-link threshold."
            )
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Say what will use it, e.g. 'Website events'.")
