from django.urls import path

from billfold.billers import views

app_name = "billers"
urlpatterns = [
    path("", views.start, name="start"),
]
