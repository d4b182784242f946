from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "canteen"
    verbose_name = _("Canteen food safety")
    default_auto_field = "django.db.models.BigAutoField"
