from django.urls import include, path

from billfold.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("signout/", views.signout, name="signout"),
    path("welcome/", views.setup, name="setup"),
    path("recover/", include("billfold.accounts.recovery.urls")),
    path("security/", include("billfold.accounts.security.urls")),
    path("security/2fa/", include("billfold.accounts.mfa.urls")),
]
