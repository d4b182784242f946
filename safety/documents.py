"""The monthly hazard check report (隐患排查表) as a printed document.

A ``logistics.models.Document`` of kind ``safety_monthly_report`` (a calendar month of
a school), made by the Celery task like every printed document, never in a request:
the tick asks for last month's on the 1st (``safety.reminders``
``MonthlyHazardReportRule``) and tells general affairs and the district's viewers; the
"Monthly hazard report" page asks for any month (``monthly_request``, in the language
of the person asking) and sends them to the document's page (progress, download).

The report shows the records as they are when it is made (a hazard closed after the
month says so), so every request makes a new version (the kind has no fingerprint),
except one made while the same month's report is being made, which joins that run.

Who: those who may make it from the page (``MAKE``: general affairs, safety officers,
the principal) ask for it and read it; district viewers (``logistics.view_document``)
read what the tick made for their district's schools.
"""

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.registry import DocumentKind
from safety.choices import DrillKind, HazardLevel
from safety.selectors.reports import month_bounds, monthly_report
from safety.selectors.rows import format_duration, hazard_rows

MONTHLY_KIND = "safety_monthly_report"
MONTHLY_TEMPLATE = "safety/reports/monthly_pdf.html"
# Who may ask for a month's report: whoever may view the school's hazards and inspections.
MAKE = ("safety.view_hazard", "safety.view_inspection")


def monthly_title(school, month):
    """ "武进实验中学 2026年10月 校园安全隐患排查表" (in the language in use)."""
    return _("%(school)s %(month)s campus safety hazard check report") % {
        "school": school.name,
        "month": formats.date_format(month, "YEAR_MONTH_FORMAT"),
    }


def _drill_values(drills):
    kinds = dict(DrillKind.choices)
    for drill in drills:
        drill["kind_label"] = kinds.get(drill["kind"], drill["kind"])
        drill["evacuation"] = format_duration(drill["evacuation_seconds"])
    return drills


def monthly_context(school, month, *, now=None):
    """The context of ``MONTHLY_TEMPLATE`` for ``school`` and ``month`` (any date in it):
    ``safety.selectors.reports.monthly_report`` plus the title and the rows' labels."""
    report = monthly_report(school, month, now=now)
    return {
        **report,
        "title": monthly_title(school, report["month"]),
        "unrectified": hazard_rows(report["unrectified"]),
        "drills": _drill_values(report["drills"]),
        "MAJOR": HazardLevel.MAJOR,
    }


def document_context(document, *, progress=None):
    """The document kind's context: the report of the document's month."""
    if progress is not None:
        progress(20, _("Reading the records"))
    return monthly_context(document.school, document.period_start)


def document_filename(document):
    return f"{monthly_title(document.school, document.period_start)}.pdf"


def document_ascii_filename(document):
    return f"hazard-check-{document.period_start:%Y-%m}.pdf"


def describe(document):
    """The month: "2026年10月"."""
    return formats.date_format(document.period_start, "YEAR_MONTH_FORMAT")


def monthly_request(*, school, month, actor=None, language=None):
    """Ask for the report of ``month`` (any date in it): ``(document, created)`` as
    ``logistics.documents.services.documents.document_request`` answers."""
    from logistics.documents.services.documents import document_request

    first, last = month_bounds(month)
    if first > timezone.localdate():
        raise ValidationError(_("This month has not begun yet."))
    return document_request(
        kind=MONTHLY_KIND, school=school, start=first, end=last, actor=actor, language=language
    )


document_kinds = [
    DocumentKind(
        key=MONTHLY_KIND,
        title=gettext_lazy("Monthly hazard check report"),
        template=MONTHLY_TEMPLATE,
        context=document_context,
        # District viewers read it (they have no safety permissions); those who may
        # ask for it read what they asked for.
        read=(("logistics.view_document",), MAKE),
        make=MAKE,
        filename=document_filename,
        ascii_filename=document_ascii_filename,
        describe=describe,
        index_url="safety_monthly_report",
    )
]
