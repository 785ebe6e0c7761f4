from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("billfold.billers.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("billfold.api.urls")),
    path("outbox/", include("billfold.notifications.urls")),
    path("b/<slug:biller_slug>/", include("billfold.accounts.urls")),
]
