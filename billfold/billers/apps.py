from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillersConfig(AppConfig):
    name = "billfold.billers"
    label = "billers"
    verbose_name = _("Billers")
