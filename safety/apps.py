from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety inspections and hazards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from logistics.common.registry import registry
        from safety import signals

        signals.connect()
        registry.autodiscover(self.name)
