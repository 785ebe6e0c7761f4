"""Two-step sign-in; included by billfold.accounts.urls at "security/2fa/"."""

from django.urls import path

from billfold.accounts.mfa import views

urlpatterns = [
    path("", views.mfa_overview, name="mfa_overview"),
    path("code/", views.mfa_challenge, name="mfa_challenge"),
    path(
        "passkey/sign-in/options/",
        views.mfa_passkey_auth_options,
        name="mfa_passkey_auth_options",
    ),
    path(
        "passkey/sign-in/verify/",
        views.mfa_passkey_auth_verify,
        name="mfa_passkey_auth_verify",
    ),
    path("app/start/", views.mfa_totp_start, name="mfa_totp_start"),
    path("app/", views.mfa_totp_setup, name="mfa_totp_setup"),
    path("app/remove/", views.mfa_totp_remove, name="mfa_totp_remove"),
    path("recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("passkeys/add/", views.mfa_passkey_add, name="mfa_passkey_add"),
    path(
        "passkeys/add/options/",
        views.mfa_passkey_register_options,
        name="mfa_passkey_register_options",
    ),
    path(
        "passkeys/add/verify/",
        views.mfa_passkey_register_verify,
        name="mfa_passkey_register_verify",
    ),
    path(
        "passkeys/<int:passkey_id>/remove/",
        views.mfa_passkey_remove,
        name="mfa_passkey_remove",
    ),
]
