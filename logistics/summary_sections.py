"""The core's sections of the dashboard and of the semester summary.

A section's figures are read by the same selector as the app's own page, so the
dashboard, the summary and the page show the same numbers.
"""

from django.utils.translation import gettext_lazy as _

from logistics.registry import Section
from logistics.selectors.repair_stats import repair_stats

REPAIRS = Section(
    key="repairs",
    title=_("Repairs and maintenance"),
    figures=repair_stats,
    template="sections/repairs.html",
    permissions=("logistics.view_ticket",),
    order=20,
)


def register(registry):
    registry.register_section(REPAIRS)
