from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DormitoryConfig(AppConfig):
    name = "dormitory"
    verbose_name = _("Dormitories")
    default_auto_field = "django.db.models.BigAutoField"
