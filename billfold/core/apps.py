from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "billfold.core"
    label = "core"
