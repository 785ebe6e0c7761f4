from django.urls import path

from billfold.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.portal_home, name="home"),
]
