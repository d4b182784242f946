"""Repair statistics and the dashboard: figures for a period, read by the selectors the
sections registered (see ``logistics.common.registry.Section``)."""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from logistics.common.figures import kept_figures
from logistics.common.periods import resolve_period
from logistics.common.registry import registry

# The dashboard's permission, which its menu entry names: general affairs and the
# principal, who review the school's figures.
DASHBOARD = "logistics.view_dashboard"


class ShownSection(tuple):
    """``(section, figures)`` as the dashboard shows it, with ``markup``: the section
    drawn, when it was kept with its figures (else None, and the page draws it)."""

    markup = None


def _plain(value):
    """``value`` with its lazy texts made plain text (in the active language), inside
    dicts, lists, tuples and dataclasses (charts): a lazy text read back from the cache
    is rebuilt class and all, which would cost more than the figures' queries."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value) is tuple:
        return tuple(_plain(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **fields)
    return value


def shown_section(section, school, start, end, *, now=None):
    """The figures of ``section`` for the period, as a ``ShownSection``.

    A section that says when its figures change with time alone (``Section.changes_at``)
    has its figures and its markup kept under the school's figures stamp, the period,
    the day and the language until then (``logistics.common.figures``): the dashboard is
    opened again and again, and its aggregates and charts were the whole cost of the
    page. Its template is drawn from ``section`` and ``figures`` alone. Any other
    section's figures are read each time."""
    if section.changes_at is None:
        return ShownSection((section, section.figures(school, start, end)))
    now = now or timezone.now()

    def compute():
        figures = _plain(section.figures(school, start, end, now=now))
        markup = render_to_string(section.template, {"section": section, "figures": figures})
        return (figures, markup), section.changes_at(school, start, end, now=now)

    figures, markup = kept_figures(
        f"section:{section.key}", school, compute, start, end, get_language(), now=now
    )
    shown = ShownSection((section, figures))
    shown.markup = markup
    return shown


@login_required
def dashboard(request):
    """The sections of the school's dashboard, for those who may view it (``DASHBOARD``,
    as its menu entry); anyone else signed in gets the page without them."""
    user = request.user
    school = user.school
    context = {"title": _("Dashboard"), "school": school, "sections": [], "period": None}
    if school is None:
        # District viewers read the roll-up on their home page; a dashboard is per school.
        return render(request, "core/dashboard.html", context)
    visible = registry.sections_for(user) if user.has_perm(DASHBOARD) else []
    form, period = resolve_period(school, request.GET)
    context.update(form=form, period=period, has_sections=bool(visible))
    if period is not None:
        context["sections"] = [
            shown_section(section, school, period.start, period.end) for section in visible
        ]
    return render(request, "core/dashboard.html", context)


# What the page declares (``logistics.common.permissions``): its menu entry and links.
dashboard.permissions = (DASHBOARD,)
