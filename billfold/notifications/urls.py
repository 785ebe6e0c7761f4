from django.urls import path

from billfold.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<int:message_id>/", views.outbox_detail, name="outbox_detail"),
]
