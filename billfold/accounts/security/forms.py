"""Forms of the security centre, and the new-password form others reuse.

Every change form asks for the current password first (re-authentication).
Wrong current passwords are counted per user in the "reauth" throttle scope,
and the count is checked before the password is hashed.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from billfold.accounts.security import passwords
from billfold.accounts.throttle import throttle_allowed, throttle_clear, throttle_hit

CHECKLIST_ID = "password-checklist"
REAUTH_SCOPE = "reauth"
USERNAME_MIN = 3
USERNAME_MAX = 150
# Far above any biller's maximum (1024): bounds the work done on absurd input.
PASSWORD_FIELD_MAX = 4096


def reauth_key(user) -> str:
    """The throttle counter of wrong current passwords of one signed-in user."""
    return f"acct:{user.biller_id}:user-{user.pk}"


def _password_input(autocomplete: str, describedby: str = "") -> forms.PasswordInput:
    attrs = {"autocomplete": autocomplete}
    if describedby:
        attrs["aria-describedby"] = describedby
    return forms.PasswordInput(attrs=attrs)


class NewPasswordForm(forms.Form):
    """New password twice, checked against the biller's policy.

    The reuse check (one hash per remembered password) is left to
    ``password_change``; call ``password_change`` on the form to run it and
    to turn a refusal into errors on the field.
    """

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=PASSWORD_FIELD_MAX,
        widget=_password_input("new-password", CHECKLIST_ID),
    )
    new_password2 = forms.CharField(
        label=_("Confirm new password"),
        strip=False,
        max_length=PASSWORD_FIELD_MAX,
        widget=_password_input("new-password"),
    )

    def __init__(self, biller, user, data=None, **kwargs):
        super().__init__(data=data, **kwargs)
        self.biller = biller
        self.user = user
        self._failed_codes: set[str] | None = None

    def full_clean(self):
        super().full_clean()
        self._describe_errors()

    def _describe_errors(self) -> None:
        # The widget names the checklist, which turns Django's own
        # aria-describedby off: put the error list back in front of it.
        bound = self["new_password1"]
        ids = [CHECKLIST_ID]
        if bound.errors:
            ids.insert(0, f"{bound.auto_id}_error")
        self.fields["new_password1"].widget.attrs["aria-describedby"] = " ".join(ids)

    def clean_new_password1(self):
        password = self.cleaned_data["new_password1"]
        codes = passwords.password_problem_codes(
            biller=self.biller, password=password, user=self.user, history=False
        )
        self._failed_codes = {code for code, _message in codes}
        if codes:
            raise forms.ValidationError([message for _code, message in codes])
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if second is not None and first is not None and first != second:
            self.add_error("new_password2", _("The two passwords do not match."))
        return cleaned

    def password_change(
        self,
        *,
        actor_kind: str,
        actor_id,
        request=None,
        reason: str = "change",
        notify: bool = True,
    ) -> bool:
        """Change the user's password; False (with errors on the form) if refused."""
        try:
            passwords.password_change(
                user=self.user,
                new_password=self.cleaned_data["new_password1"],
                actor_kind=actor_kind,
                actor_id=actor_id,
                request=request,
                notify=notify,
                reason=reason,
            )
        except passwords.PasswordPolicyError as error:
            self._failed_codes = set(error.codes)
            self.add_error("new_password1", error.problems)
            self._describe_errors()
            return False
        return True

    def checklist_items(self) -> list[dict]:
        """The checklist with each rule's state: None (not checked yet), True, False."""
        typed = (
            self.data.get(self.add_prefix("new_password1")) if self.is_bound else None
        )
        items = []
        for rule in passwords.checklist(self.biller):
            met: bool | None = None
            if typed is not None:
                if rule.check is not None:
                    met = rule.check(typed)
                elif self._failed_codes is not None and (
                    rule.code != "history" or "history" in self._failed_codes
                ):
                    met = rule.code not in self._failed_codes
            items.append({"rule": rule, "met": met})
        return items


def reauth_check(user, password: str) -> str:
    """Re-authentication: ``password`` must be the user's current one (throttled)."""
    key = reauth_key(user)
    if not throttle_allowed(REAUTH_SCOPE, key):
        raise forms.ValidationError(
            _("Too many wrong passwords. Wait 15 minutes and try again."),
            code="throttled",
        )
    if not user.check_password(password):
        throttle_hit(REAUTH_SCOPE, key)
        raise forms.ValidationError(
            _("That is not your current password."), code="wrong_password"
        )
    throttle_clear(REAUTH_SCOPE, key)
    return password


def _current_password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=PASSWORD_FIELD_MAX,
        widget=_password_input("current-password"),
    )


class ReauthForm(forms.Form):
    """The current password, asked again before a change to the account."""

    current_password = _current_password_field()

    field_order = ["current_password"]

    def __init__(self, biller, user, data=None, **kwargs):
        super().__init__(data=data, **kwargs)
        self.biller = biller
        self.user = user

    def clean_current_password(self):
        return reauth_check(self.user, self.cleaned_data["current_password"])


class ChangePasswordForm(NewPasswordForm):
    current_password = _current_password_field()

    field_order = ["current_password", "new_password1", "new_password2"]

    def clean_current_password(self):
        return reauth_check(self.user, self.cleaned_data["current_password"])


class ChangeUsernameForm(ReauthForm):
    new_username = forms.CharField(
        label=_("New username"),
        min_length=USERNAME_MIN,
        max_length=USERNAME_MAX,
        help_text=_(
            "3 to 150 characters: letters, digits and . - _ @ +. A username with @ "
            "must be your own email address."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_new_username(self):
        username = unicodedata.normalize(
            "NFKC", self.cleaned_data["new_username"].strip()
        )
        try:
            UnicodeUsernameValidator()(username)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Use only letters, digits and . - _ @ +."), code="invalid"
            ) from None
        if username == self.user.username:
            raise forms.ValidationError(
                _("That is already your username."), code="same"
            )
        # Someone else's address as a username would shadow that person's
        # sign-in by email, so "@" is allowed only for one's own address.
        if "@" in username and username.lower() != (self.user.email or "").lower():
            raise forms.ValidationError(
                _("A username with @ must be your own email address."),
                code="foreign_email",
            )
        return username


class ChangeEmailForm(ReauthForm):
    new_email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_new_email(self):
        email = self.cleaned_data["new_email"].strip().lower()
        if email == (self.user.email or "").lower():
            raise forms.ValidationError(
                _("That is already your email address."), code="same"
            )
        if email in self.biller.placeholder_set:
            raise forms.ValidationError(
                _("This address cannot receive email."), code="placeholder"
            )
        return email


class EmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class EndOtherSessionsForm(forms.Form):
    """Nothing to fill in; a form so the button is a real POST with CSRF."""
