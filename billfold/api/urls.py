from django.urls import path

from billfold.api.api import api

urlpatterns = [path("", api.urls)]
