from django.urls import path

from billfold.accounts.recovery import views

# Included by billfold.accounts.urls at "recover/" in the "accounts" namespace.
urlpatterns = [
    path("", views.recover_start, name="recover_start"),
    path("send/", views.recover_choose, name="recover_choose"),
    path("code/", views.recover_code, name="recover_code"),
    path("question/", views.recover_question, name="recover_question"),
    path("password/", views.recover_password, name="recover_password"),
    path("done/", views.recover_done, name="recover_done"),
]
