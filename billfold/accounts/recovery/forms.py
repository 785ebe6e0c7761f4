"""Forms of the forgot-password flow."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billfold.accounts.recovery import altcha


class StartForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    altcha = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_altcha(self):
        payload = self.cleaned_data.get("altcha", "")
        if not payload:
            raise forms.ValidationError(
                _("Complete the check that you are not a robot."), code="altcha_missing"
            )
        if not altcha.solution_accept(payload):
            raise forms.ValidationError(
                _("The check that you are not a robot did not work. Try it again."),
                code="altcha_invalid",
            )
        return payload


class ChooseForm(forms.Form):
    destination = forms.ChoiceField(
        label=_("Where should we send your recovery code?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where to send the code.")},
    )

    def __init__(self, masked_email: str, data=None):
        super().__init__(data=data)
        field = self.fields["destination"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("email", _("Email to %(address)s") % {"address": masked_email})
        ]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
