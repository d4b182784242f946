from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics core")
    default_auto_field = "django.db.models.BigAutoField"
    # The core and its parts, each with its own conventional modules (menu, sections,
    # reminders…): the core first, whose menu groups the parts' entries join.
    parts = ("logistics", "logistics.repairs", "logistics.documents")

    def ready(self):
        from logistics import wiring
        from logistics.common.registry import registry

        wiring.connect()
        for part in self.parts:
            registry.autodiscover(part)
