"""Report pages of campus safety: the rectification rate (整改率), drills (演练),
responsibility agreements (安全责任状) and the monthly hazard check report for the
district (隐患排查表, PDF).

Who sees what:

- the rectification rate: general affairs and the principal;
- drills: whoever may view drills (general affairs, safety officers, the principal);
  recording and correcting them: general affairs and safety officers;
- agreements: general affairs and the principal read; general affairs records and
  withdraws;
- the monthly report: whoever may view the school's hazards and inspections (general
  affairs, safety officers who fill it in, the principal).

Every page is of the user's own school: another school's drill or agreement is a 404.
The figures come from ``safety.selectors.stats`` and ``safety.selectors.reports``; every
write goes through ``safety.services``.
"""

import datetime
import functools
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from logistics.common.permissions import permission_required
from logistics.common.submissions import with_submission_key
from logistics.common.views import add_service_errors, refusal_message
from logistics.documents.models import Document
from logistics.documents.views.documents import documents_page
from safety import selectors
from safety.choices import (
    AgreementKind,
    DrillKind,
    HazardLevel,
    HazardStatus,
    SafetyArea,
)
from safety.documents import MAKE as MONTHLY_MAKE
from safety.documents import MONTHLY_KIND, monthly_request
from safety.documents import describe as monthly_describe
from safety.forms import reports as forms
from safety.models import Drill, SafetyAgreement
from safety.selectors.reports import month_bounds
from safety.selectors.stats import (
    agreement_coverage,
    agreements_missing,
    drill_months,
    rate_page_figures,
    trend_chart,
)
from safety.services import drills as services
from safety.services.common import HAZARD_DETAIL_URL, link

# The rate page's breakdowns (grouping sets of the one statement; the levels come with the
# totals).
RATE_PAGE_DIMS = ("month", "category", "level", "department")
OVERDUE_SHOWN = 10
DRILLS_PER_PAGE = 25
AGREEMENTS_PER_PAGE = 50
HAZARD_LIST_URL = "safety_hazard_list"


def _school(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    return school


def _require(user, *perms):
    if not all(user.has_perm(p) for p in perms):
        raise PermissionDenied


# --- The rectification rate ----------------------------------------------------------------
#
# The page is read by the office all the time and measured against a bare one-query page:
# its figures come from two statements (``rectification_figures`` and the overdue list,
# kept in the cache until the school's next hazard change: ``rate_page_figures``),
# and its tables and period picker are written here in one pass over those few rows,
# labels translated and escaped once (the standard library's ``escape``: the same five
# characters as Django's), rather than by hundreds of template nodes.


def _ledger_links(rows, ledger, period_query, param):
    """Each row gets ``url``: the ledger filtered by the period and the row's key (none
    for the "not assigned"/"no room" row, which no filter of the ledger selects)."""
    for row in rows:
        key = row["key"]
        row["url"] = f"{ledger}?{period_query}&{param}={key}" if ledger and key != "" else ""
    return rows


def _month_links(rows, ledger, period):
    for row in rows:
        first = max(row["key"], period.start)
        last = min(month_bounds(row["key"])[1], period.end)
        row["url"] = (
            f"{ledger}?found_from={first.isoformat()}&found_to={last.isoformat()}" if ledger else ""
        )
    return rows


def _where(row):
    parts = []
    if row.get("room__number"):
        parts.append(f"{row['room__building__name']} {row['room__number']}")
    if row.get("location"):
        parts.append(row["location"])
    return " · ".join(parts)


def _person(row, prefix):
    return row[f"{prefix}__name"] or row[f"{prefix}__username"] or ""


def _hazard_rows(rows, today=None):
    """Labels, place, people and links of hazard rows (plain values), for the templates."""
    categories = dict(SafetyArea.choices)
    levels = dict(HazardLevel.choices)
    statuses = dict(HazardStatus.choices)
    level_colors, status_colors = HazardLevel.colors(), HazardStatus.colors()
    detail = link(HAZARD_DETAIL_URL, 0)
    detail = detail[: -len("0/")] if detail.endswith("/0/") else ""
    for row in rows:
        row.update(
            category_label=categories.get(row["category"], row["category"]),
            level_label=levels.get(row["level"], row["level"]),
            level_color=level_colors.get(row["level"], "secondary"),
            status_label=statuses.get(row["status"], row["status"]),
            status_color=status_colors.get(row["status"], "secondary"),
            where=_where(row),
            responsible=_person(row, "responsible_person"),
            url=f"{detail}{row['pk']}/" if detail else "",
        )
        if today is not None and row.get("deadline") is not None:
            row["days_overdue"] = (today - row["deadline"]).days
    return rows


def _rate(value):
    return "—" if value is None else f"{value}%"


def _named(row):
    label = escape(str(row["label"]))
    return f'<a href="{escape(row["url"])}">{label}</a>' if row["url"] and row["found"] else label


NUMERIC = ' class="text-end"'


def _table(testid, heads, body, *, css="table table-sm align-middle mb-0"):
    """A responsive table: ``heads`` are (label, numeric) pairs; ``body`` is its rows."""
    cells = "".join(
        f'<th scope="col"{NUMERIC if numeric else ""}>{escape(str(label))}</th>'
        for label, numeric in heads
    )
    return (
        f'<div class="table-responsive"><table class="{css}" data-testid="{testid}">'
        f'<thead class="table-light"><tr>{cells}</tr></thead><tbody>{"".join(body)}</tbody>'
        "</table></div>"
    )


def summary_tiles(h):
    """The period's key figures and the rate's definition."""
    open_checking = _("Not rectified (%(open)s open, %(checking)s awaiting the check now)") % {
        "open": h["open"],
        "checking": h["awaiting_check"],
    }
    tiles = [
        ("rate-value", "", _rate(h["rate"]), _("Rectification rate")),
        ("rate-found", "", h["found"], _("Hazards found")),
        ("rate-rectified", "", h["rectified"], _("Rectified (closed by the end of the period)")),
        ("rate-unrectified", "", h["unrectified"], open_checking),
        (
            "rate-overdue",
            " text-danger" if h["overdue"] else "",
            h["overdue"],
            _("Overdue now (found in the period)"),
        ),
        ("rate-major", "", f"{h['major_rectified']} / {h['major']}", _("Major hazards rectified")),
    ]
    cells = "".join(
        f'<div class="col"><div class="stat-tile"><div class="stat-value{css}" '
        f'data-testid="{testid}">{value}</div><div class="stat-label">{escape(str(label))}'
        "</div></div></div>"
        for testid, css, value, label in tiles
    )
    return mark_safe(  # noqa: S308 - every text in it is escaped (the values are numbers)
        '<div class="row row-cols-2 row-cols-md-3 row-cols-xl-6 g-2 mb-2 stat-tiles">'
        f'{cells}</div><p class="small text-muted mb-3" data-testid="rate-definition">'
        '<i class="bi bi-info-circle" aria-hidden="true"></i> '
        f"{escape(str(h['definition']))}</p>"
    )


def month_table(rows):
    """The rate month by month (each month its own period)."""
    body = [
        f'<tr><th scope="row" class="fw-normal text-nowrap">{_named(r)}</th>'
        f'<td class="text-end">{r["found"]}</td><td class="text-end">{r["rectified"]}</td>'
        f'<td class="text-end">{_rate(r["rate"])}</td></tr>'
        for r in rows
    ]
    heads = [
        (_("Month"), False),
        (_("Found"), True),
        (_("Rectified in the month"), True),
        (_("Rate"), True),
    ]
    table = _table("rate-per-month", heads, body, css="table table-sm text-nowrap mb-0")
    return mark_safe(table)  # noqa: S308 - every text in it is escaped


def breakdown_cards(breakdowns):
    """One card per breakdown (category, level, department): found, rectified,
    rate, and a red badge with the ones overdue now."""
    overdue_title = escape(_("Overdue now"))
    found, rectified, rate = _("Found"), _("Rectified"), _("Rate")
    cards = []
    for testid, title, heading, rows in breakdowns:
        body = [
            f'<tr data-key="{escape(str(r["key"]))}"><th scope="row" class="fw-normal">'
            f"{_named(r)}"
            + (
                f' <span class="badge text-bg-danger" title="{overdue_title}">{r["overdue"]}</span>'
                if r["overdue"]
                else ""
            )
            + f'</th><td class="text-end">{r["found"]}</td>'
            f'<td class="text-end">{r["rectified"]}</td>'
            f'<td class="text-end text-nowrap">{_rate(r["rate"])}</td></tr>'
            for r in rows
        ]
        heads = [(heading, False), (found, True), (rectified, True), (rate, True)]
        cards.append(
            '<div class="col-lg-4"><div class="card h-100"><div class="card-header">'
            f'<h2 class="h6 mb-0">{escape(str(title))}</h2></div>'
            f"{_table(testid, heads, body)}</div></div>"
        )
    return mark_safe("".join(cards))  # noqa: S308 - every text above is escaped


def overdue_table(rows):
    """The overdue hazards, the longest overdue first, each linking to its page."""
    major = escape(str(HazardLevel.MAJOR.label))
    body = []
    for r in rows:
        number = f"#{r['pk']}"
        if r["url"]:
            number = f'<a href="{escape(r["url"])}">{number}</a>'
        if r["level"] == HazardLevel.MAJOR:
            number += f' <span class="badge text-bg-danger">{major}</span>'
        who = escape(r["responsible"])
        if r["department__name"]:
            who += f" · {escape(r['department__name'])}"
        body.append(
            f"<tr><td>{number}</td><td>{escape(str(r['category_label']))}</td>"
            f"<td>{escape(r['where'])}</td><td>{who}</td>"
            f'<td class="text-nowrap">{r["deadline"]:%Y-%m-%d}</td>'
            f'<td class="text-end text-danger">{r["days_overdue"]}</td></tr>'
        )
    heads = [
        ("#", False),
        (_("Category"), False),
        (pgettext("hazard", "Where"), False),
        (_("Responsible"), False),
        (_("Rectify by"), False),
        (_("Days overdue"), True),
    ]
    table = _table("overdue-list", heads, body, css="table table-sm table-hover align-middle mb-0")
    return mark_safe(table)  # noqa: S308 - every text in it is escaped


def _period_select(choices, chosen, invalid):
    """The semester select as ``houqin.bs`` draws it."""
    aria = 'aria-describedby="id_semester_error" aria-invalid="true" ' if invalid else ""
    css = "form-select is-invalid" if invalid else "form-select"
    options = "".join(
        f'<option value="{escape(str(v))}"{" selected" if str(v) == chosen else ""}>'
        f"{escape(str(label))}</option>"
        for v, label in choices
    )
    return f'<select name="semester" {aria}class="{css}" id="id_semester">{options}</select>'


def _period_date(name, value, invalid):
    """A date input as ``houqin.bs`` draws it."""
    if isinstance(value, datetime.date):
        value = value.isoformat()
    shown = f' value="{escape(str(value))}"' if value not in (None, "") else ""
    css = "form-control is-invalid" if invalid else "form-control"
    after = f' aria-invalid="true" aria-describedby="id_{name}_error"' if invalid else ""
    return f'<input type="date" name="{name}"{shown} class="{css}"{after} id="id_{name}">'


def period_form(picker):
    """The period picker of the statistics pages (the markup of ``dashboard.html``'s
    ``period-form`` partial) from a ``forms.PeriodPicker``, written in one pass."""
    errors, values, labels, period = picker.errors, picker.values, picker.labels, picker.period
    chosen = values["semester"]
    chosen = "" if chosen is None else str(getattr(chosen, "pk", chosen))

    def labelled(name, widget):
        return (
            f'<div class="flex-grow-1"><label class="form-label small mb-0" for="id_{name}">'
            f"{escape(str(labels[name]))}</label>{widget}</div>"
        )

    show = escape(_("Show"))
    button = f'<button class="btn btn-outline-primary" type="submit">{show}</button>'
    semester = _period_select(picker.choices, chosen, "semester" in errors)
    start = _period_date("start", values["start"], "start" in errors)
    end = _period_date("end", values["end"], "end" in errors)
    html = [
        '<div class="card mb-3 d-print-none period-picker"><div class="card-body py-2">'
        '<div class="row g-3 align-items-end">'
        '<form method="get" class="col-12 col-lg-5 d-flex gap-2 align-items-end" '
        f'aria-label="{escape(_("Choose a semester"))}">{labelled("semester", semester)}'
        f"{button}</form>"
        '<form method="get" class="col-12 col-lg-7 d-flex flex-wrap gap-2 align-items-end" '
        f'aria-label="{escape(_("Choose dates"))}">{labelled("start", start)}'
        f"{labelled('end', end)}{button}</form></div>"
    ]
    if errors:
        lines = [escape(str(e)) for e in errors.get("__all__", ())] + [
            f"{escape(str(labels[name]))}: {escape(str(e))}"
            for name in forms.PERIOD_FIELDS
            for e in errors.get(name, ())
        ]
        html.append(
            '<div class="alert alert-danger py-2 mt-2 mb-0 small" role="alert" '
            'data-testid="period-errors">' + "".join(f"<div>{e}</div>" for e in lines) + "</div>"
        )
    if period:
        dates = f" ({period.start:%Y-%m-%d} – {period.end:%Y-%m-%d})" if period.semester else ""
        html.append(
            '<p class="small text-muted mb-0 mt-2" data-testid="period">'
            f'<i class="bi bi-calendar3" aria-hidden="true"></i> {escape(str(period.label))}'
            f"{dates}</p>"
        )
    html.append("</div></div>")
    return mark_safe("".join(html))  # noqa: S308 - every text above is escaped


@functools.lru_cache(maxsize=256)
def _trend_svg(language, labels, found, rectified):
    rows = [
        {"label": label, "found": f, "rectified": r}
        for label, f, r in zip(labels, found, rectified, strict=True)
    ]
    return trend_chart(rows).svg()


def trend_svg(month_rows):
    """The trend chart (found vs rectified per month) as SVG, drawn once per language and
    figures: the same chart is asked for again and again between two changes."""
    return _trend_svg(
        translation.get_language(),
        tuple(r["label"] for r in month_rows),
        tuple(r["found"] for r in month_rows),
        tuple(r["rectified"] for r in month_rows),
    )


@login_required
@permission_required("safety.view_rectification_rate", raise_exception=True)
def rate(request):
    """整改率: the rectification rate of a period (a semester or two dates), its
    definition, by month (table and chart), by category, level and department, and the
    overdue hazards. (The inspections done are on the dashboard's safety section and in
    the monthly report: reading them here cost a sixth of the page.)"""
    school = _school(request)
    picker = forms.period_picker(school, request.GET)
    period = picker.period
    context = {
        "title": _("Rectification rate"),
        "period": period,
        "period_form": period_form(picker),
    }
    if period is not None:
        now = timezone.now()
        today = timezone.localdate(now)
        figures, overdue, overdue_total = rate_page_figures(
            school,
            period.start,
            period.end,
            dims=RATE_PAGE_DIMS,
            overdue_limit=OVERDUE_SHOWN,
            now=now,
        )
        ledger = link(HAZARD_LIST_URL)
        span = f"found_from={period.start.isoformat()}&found_to={period.end.isoformat()}"
        hazards = figures["totals"]
        context.update(
            hazards=hazards,
            summary=summary_tiles(hazards),
            overdue_total=overdue_total,
            overdue_shown=len(overdue),
            ledger_period_url=f"{ledger}?{span}" if ledger else "",
            overdue_url=f"{ledger}?overdue=true" if ledger else "",
        )
        if hazards["found"]:
            context.update(
                trend=trend_svg(figures["month"]),
                month_table=month_table(_month_links(figures["month"], ledger, period)),
                breakdowns=breakdown_cards(
                    [
                        (
                            "rate-per-category",
                            _("By category"),
                            _("Category"),
                            _ledger_links(figures["category"], ledger, span, "category"),
                        ),
                        (
                            "rate-per-level",
                            _("By level"),
                            _("Level"),
                            _ledger_links(figures["level"], ledger, span, "level"),
                        ),
                        (
                            "rate-per-department",
                            _("By responsible department"),
                            _("Department"),
                            _ledger_links(figures["department"], ledger, span, "department"),
                        ),
                    ]
                ),
            )
        if overdue:
            context["overdue_table"] = overdue_table(_hazard_rows(overdue, today))
    return render(request, "safety/reports/rate.html", context)


# --- Drills ---------------------------------------------------------------------------------


def _drill_rows(drills):
    kinds = dict(DrillKind.choices)
    for drill in drills:
        drill.kind_label = kinds.get(drill.kind, drill.kind)
        drill.evacuation = forms.format_duration(drill.evacuation_seconds)
    return drills


@login_required
@permission_required("safety.view_drill", raise_exception=True)
def drill_list(request):
    """The drills held in a period (a semester or two dates) and its months: was the
    requirement (a drill every month in term) met?"""
    school = _school(request)
    user = request.user
    picker = forms.period_picker(school, request.GET)
    period = picker.period
    context = {
        "title": _("Emergency drills"),
        "period_form": period_form(picker),
        "period": period,
        "can_add": user.has_perm("safety.add_drill"),
    }
    if period is not None:
        drills = (
            selectors.drill_list(user)
            .filter(held_on__gte=period.start, held_on__lte=period.end)
            .order_by("-held_on", "-pk")
        )
        page = Paginator(drills, DRILLS_PER_PAGE).get_page(request.GET.get("page"))
        _drill_rows(page.object_list)
        months = drill_months(school, period.start, period.end)
        for row in months["months"]:
            row["kinds_text"] = ", ".join(row["kinds"])
        context.update(
            page_obj=page,
            drills=page.object_list,
            months=months,
            page_query=period.query,
        )
    return render(request, "safety/reports/drill_list.html", context)


def _get_drill(request, pk):
    try:
        return selectors.drill_detail(request.user, pk)
    except Drill.DoesNotExist:
        raise Http404 from None


@login_required
def drill_detail(request, pk):
    _school(request)
    _require(request.user, "safety.view_drill")
    drill = _get_drill(request, pk)
    _drill_rows([drill])
    return render(
        request,
        "safety/reports/drill_detail.html",
        {
            "title": drill.display_title,
            "drill": drill,
            "photos": list(drill.photos.all()),
            "can_edit": request.user.has_perm("safety.change_drill"),
        },
    )


def _drill_form_page(request, form, drill=None, status=200):
    return render(
        request,
        "safety/reports/drill_form.html",
        {
            "title": _("Edit the drill") if drill else _("Record a drill"),
            "form": form,
            "drill": drill,
            "cancel_url": (
                reverse("safety_drill_detail", args=[drill.pk])
                if drill
                else reverse("safety_drill_list")
            ),
        },
        status=status,
    )


@login_required
def drill_create(request):
    school = _school(request)
    _require(request.user, "safety.add_drill")
    if request.method != "POST":
        return _drill_form_page(request, with_submission_key(forms.DrillForm()))
    form = with_submission_key(forms.DrillForm(request.POST, request.FILES))
    if form.is_valid():
        try:
            drill = services.drill_record(
                school=school, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Drill recorded: %(drill)s") % {"drill": drill})
            return redirect("safety_drill_detail", pk=drill.pk)
    return _drill_form_page(request, form, status=400)


@login_required
def drill_edit(request, pk):
    _school(request)
    _require(request.user, "safety.view_drill", "safety.change_drill")
    drill = _get_drill(request, pk)
    if request.method != "POST":
        return _drill_form_page(request, forms.DrillForm(drill=drill), drill)
    form = forms.DrillForm(request.POST, request.FILES, drill=drill)
    if form.is_valid():
        try:
            drill = services.drill_update(drill, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": drill})
            return redirect("safety_drill_detail", pk=drill.pk)
    return _drill_form_page(request, form, drill, status=400)


# --- Responsibility agreements ---------------------------------------------------------------


@login_required
@permission_required("safety.view_safetyagreement", raise_exception=True)
def agreement_list(request):
    """The agreements of an academic year: how many of the school's active people have
    one, the agreements, and the people still missing one."""
    school = _school(request)
    user = request.user
    year_form = forms.YearForm(request.GET or None)
    year = year_form.chosen_year
    agreements = (
        selectors.agreement_list(user)
        .filter(year=year)
        .order_by("-is_active", "signer__department__name", "signer__name", "signer__username")
    )
    page = Paginator(agreements, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    kinds = dict(AgreementKind.choices)
    for agreement in page.object_list:
        agreement.kind_label = kinds.get(agreement.kind, agreement.kind)
    can_change = user.has_perm("safety.change_safetyagreement")
    return render(
        request,
        "safety/reports/agreement_list.html",
        {
            "title": _("Safety responsibility agreements"),
            "year_form": year_form,
            "year": year,
            "year_label": f"{year}~{year + 1}",
            "coverage": agreement_coverage(school, year),
            "page_obj": page,
            "agreements": page.object_list,
            "missing": list(agreements_missing(school, year)),
            "can_add": user.has_perm("safety.add_safetyagreement"),
            "can_change": can_change,
        },
    )


@login_required
def agreement_create(request):
    school = _school(request)
    _require(request.user, "safety.add_safetyagreement")
    if request.method == "POST":
        form = forms.AgreementForm(request.POST, request.FILES, school=school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_record(
                    school=school,
                    actor=request.user,
                    signer=data["signer"],
                    kind=data["kind"],
                    year=data["year"],
                    signed_on=data["signed_on"],
                    title=data["title"],
                    scan=data["scan"],
                    submission_key=data["submission_key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": agreement})
                return redirect(
                    f"{reverse('safety_agreement_list')}?{urlencode({'year': agreement.year})}"
                )
        status = 400
    else:
        initial = {}
        for name in ("signer", "year", "kind"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = forms.AgreementForm(initial=initial, school=school)
        status = 200
    return render(
        request,
        "safety/reports/agreement_form.html",
        {
            "title": _("Record a responsibility agreement"),
            "form": form,
            "cancel_url": reverse("safety_agreement_list"),
        },
        status=status,
    )


@login_required
@require_POST
def agreement_retire(request, pk):
    school = _school(request)
    _require(request.user, "safety.change_safetyagreement")
    agreement = get_object_or_404(SafetyAgreement.objects.for_school(school.pk), pk=pk)
    back = f"{reverse('safety_agreement_list')}?{urlencode({'year': agreement.year})}"
    form = forms.RetireForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.agreement_retire(agreement, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("Withdrawn: %(object)s") % {"object": agreement})
    return redirect(back)


# --- The monthly hazard check report ----------------------------------------------------------


@login_required
@permission_required(MONTHLY_MAKE, raise_exception=True)
def monthly_report_page(request):
    """GET: choose a month (last month by default) and see the reports made; POST: ask
    for a month's report and go to its page (progress, then the download). The PDF is
    made by the document task (``safety.documents``), never in this request."""
    school = _school(request)
    if request.method != "POST":
        return _monthly_page(request, forms.MonthForm())
    form = forms.MonthForm(request.POST)
    if not form.is_valid():
        return _monthly_page(request, form, status=400)
    try:
        document, created = monthly_request(
            school=school,
            month=form.cleaned_data["month"],
            actor=request.user,
            language=translation.get_language(),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _monthly_page(request, form, status=400)
    if created:
        messages.success(request, _("The report is being made: this page shows its progress."))
    else:
        messages.info(request, _("This report is already being made: here is its progress."))
    return redirect("summary_document", document.pk)


def _monthly_page(request, form, status=200):
    documents = (
        Document.objects.for_user(request.user)
        .filter(kind=MONTHLY_KIND)
        .select_related("requested_by", "school", "semester")
    )
    page, rows = documents_page(documents, request.GET.get("page"))
    for row in rows:
        row.description = monthly_describe(row)
    return render(
        request,
        "safety/reports/monthly.html",
        {
            "title": _("Monthly hazard check report"),
            "form": form,
            "page": page,
            "documents": rows,
            "can_generate": True,  # the page's own permission is the kind's
            "with_description": True,
        },
        status=status,
    )
