"""The monthly hazard check report (隐患排查表) as a printed document.

The same report the "Monthly hazard report" page downloads at once, made as a
``logistics.models.Document`` of kind ``safety_monthly_report`` (a calendar month of a
school): the tick asks for last month's on the 1st (``safety.reminder_rules``
``MonthlyHazardReportRule``) and tells general affairs and the district's viewers.
The page and the document share ``monthly_context``, so they can never disagree.
"""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safety.choices import DrillKind
from safety.selectors.reports import monthly_report

MONTHLY_KIND = "safety_monthly_report"
MONTHLY_TEMPLATE = "safety/reports/monthly_pdf.html"


def monthly_title(school, month):
    """ "武进实验中学 2026年10月 校园安全隐患排查表" (in the language in use)."""
    return _("%(school)s %(month)s campus safety hazard check report") % {
        "school": school.name,
        "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
    }


def _drill_values(drills):
    from safety.forms.reports import format_duration

    kinds = dict(DrillKind.choices)
    for drill in drills:
        drill["kind_label"] = kinds.get(drill["kind"], drill["kind"])
        drill["evacuation"] = format_duration(drill["evacuation_seconds"])
    return drills


def monthly_context(school, month, *, now=None):
    """The context of ``MONTHLY_TEMPLATE`` for ``school`` and ``month`` (any date in it):
    ``safety.selectors.reports.monthly_report`` plus the title and the rows' labels."""
    # The hazard rows' labels are the ledger's (the report pages' helper).
    from safety.views.reports import _hazard_rows

    report = monthly_report(school, month, now=now)
    return {
        **report,
        "title": monthly_title(school, report["month"]),
        "unrectified": _hazard_rows(report["unrectified"]),
        "drills": _drill_values(report["drills"]),
    }


def document_context(document, *, progress=None):
    """The document kind's context: the report of the document's month."""
    if progress is not None:
        progress(20, _("Reading the records"))
    return monthly_context(document.school, document.period_start)


def document_filename(document):
    return f"{monthly_title(document.school, document.period_start)}.pdf"


def register(registry):
    """Called from ``SafetyConfig.ready()``."""
    from logistics.registry import DocumentKind

    registry.register_document_kind(
        DocumentKind(
            key=MONTHLY_KIND,
            title=gettext_lazy("Monthly hazard check report"),
            template=MONTHLY_TEMPLATE,
            context=document_context,
            # District viewers read it (they have no safety permissions); general
            # affairs asks for it.
            read=("logistics.view_document",),
            make=("logistics.add_document",),
            filename=document_filename,
        )
    )
