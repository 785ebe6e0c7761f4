"""Forms of two-step sign-in and of its part of the security centre."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _current_password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your current password"),
        help_text=_("We ask again before changing how you sign in."),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ChallengeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app or a recovery code"),
        help_text=_("Six digits from the app, or one of your recovery codes."),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
    current_password = _current_password_field()


class CurrentPasswordForm(forms.Form):
    current_password = _current_password_field()


class PasskeyAddForm(forms.Form):
    name = forms.CharField(
        label=_("Name for this passkey"),
        help_text=_("For example the device it is on, like “My phone”."),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    current_password = _current_password_field()
