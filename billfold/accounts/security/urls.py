from django.urls import path

from billfold.accounts.security import views

# Included by billfold/accounts/urls.py at "security/", in the "accounts" namespace.
urlpatterns = [
    path("", views.overview, name="security_overview"),
    path("password/", views.password, name="security_password"),
    path("username/", views.username, name="security_username"),
    path("email/", views.email, name="security_email"),
    path("email/confirm/", views.email_confirm, name="security_email_confirm"),
    path("questions/", views.questions, name="security_questions"),
    path(
        "sessions/end-others/",
        views.sessions_end_others,
        name="security_sessions_end_others",
    ),
]
