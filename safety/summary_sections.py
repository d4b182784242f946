"""Campus safety's section of the dashboard and of the semester summary.

The figures are ``safety.selectors.stats.safety_stats``, the same selector the safety
pages read, so the dashboard, the summary and the pages show the same numbers.
"""

from django.utils.translation import gettext_lazy as _

from logistics.registry import Section
from safety.selectors.stats import safety_stats

SAFETY = Section(
    key="safety",
    title=_("Campus safety"),
    figures=safety_stats,
    template="safety/section.html",
    permissions=("safety.view_hazard",),
    order=30,
)


def register(registry):
    registry.register_section(SAFETY)
