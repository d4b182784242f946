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

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
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
)
from safety.documents import MAKE as MONTHLY_MAKE
from safety.documents import MONTHLY_KIND, monthly_request
from safety.documents import describe as monthly_describe
from safety.forms import reports as forms
from safety.models import Drill, SafetyAgreement
from safety.selectors.rows import (
    format_duration,
    ledger_links,
    month_links,
    overdue_rows,
    rate_text,
)
from safety.selectors.stats import (
    RATE_PAGE_CACHE_SECONDS,
    agreement_coverage,
    agreements_missing,
    drill_months,
    rate_page_figures,
    rate_page_key,
    trend_chart,
)
from safety.services import drills as services
from safety.services.common import link

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
# kept in the cache until the school's next hazard change: ``rate_page_figures``); its
# rows are made ready to show in ``safety.selectors.rows`` (links, labels, display
# strings) and drawn by one partial per table under ``templates/safety/rate/``
# (``_figures.html``), whose markup is kept in the cache under the figures' key.

PERIOD_FORM_TEMPLATE = "safety/reports/_period_form.html"


def period_picker_context(picker):
    """What the period picker partial (``PERIOD_FORM_TEMPLATE``, the markup of
    ``dashboard.html``'s ``period-form`` partial) shows of a ``forms.PeriodPicker``: the
    semester options (value, label, chosen), the date inputs (name, label, value, in
    error), the error lines and the period."""
    errors, values, labels = picker.errors, picker.values, picker.labels
    chosen = values["semester"]
    chosen = "" if chosen is None else str(getattr(chosen, "pk", chosen))
    dates = []
    for name in ("start", "end"):
        value = values[name]
        if isinstance(value, datetime.date):
            value = value.isoformat()
        shown = "" if value in (None, "") else str(value)
        dates.append((name, labels[name], shown, name in errors))
    lines = []
    if errors:
        lines = [str(e) for e in errors.get("__all__", ())] + [
            f"{labels[name]}: {e}" for name in forms.PERIOD_FIELDS for e in errors.get(name, ())
        ]
    return {
        "labels": labels,
        "invalid": {"semester": "semester" in errors},
        "options": [(v, label, str(v) == chosen) for v, label in picker.choices],
        "dates": dates,
        "errors": lines,
        "period": picker.period,
    }


def period_form(picker):
    """The period picker of the statistics pages, drawn alone (the pages include
    ``PERIOD_FORM_TEMPLATE`` with ``period_picker_context``)."""
    return render_to_string(PERIOD_FORM_TEMPLATE, {"p": period_picker_context(picker)})


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


def _rate_figures(school, period, now, ledger, span):
    """The context of the rate page's figures (``safety/rate/_figures.html``)."""
    today = timezone.localdate(now)
    figures, overdue, overdue_total = rate_page_figures(
        school,
        period.start,
        period.end,
        dims=RATE_PAGE_DIMS,
        overdue_limit=OVERDUE_SHOWN,
        now=now,
    )
    hazards = figures["totals"]
    hazards["rate_text"] = rate_text(hazards["rate"])
    context = {
        "hazards": hazards,
        "overdue_total": overdue_total,
        "overdue_shown": len(overdue),
        "overdue_url": f"{ledger}?overdue=true" if ledger else "",
        "overdue": overdue_rows(overdue, today),
    }
    if hazards["found"]:
        context.update(
            trend=trend_svg(figures["month"]),
            months=month_links(figures["month"], ledger, period),
            breakdowns=[
                {
                    "testid": "rate-per-category",
                    "title": _("By category"),
                    "heading": _("Category"),
                    "rows": ledger_links(figures["category"], ledger, span, "category"),
                },
                {
                    "testid": "rate-per-level",
                    "title": _("By level"),
                    "heading": _("Level"),
                    "rows": ledger_links(figures["level"], ledger, span, "level"),
                },
                {
                    "testid": "rate-per-department",
                    "title": _("By responsible department"),
                    "heading": _("Department"),
                    "rows": ledger_links(figures["department"], ledger, span, "department"),
                },
            ],
        )
    return context


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
        "picker": period_picker_context(picker),
    }
    if period is not None:
        ledger = link(HAZARD_LIST_URL)
        span = f"found_from={period.start.isoformat()}&found_to={period.end.isoformat()}"
        now = timezone.now()
        key = rate_page_key(
            school,
            period.start,
            period.end,
            dims=RATE_PAGE_DIMS,
            overdue_limit=OVERDUE_SHOWN,
            today=timezone.localdate(now),
        )
        # The figures' markup is kept with the figures, under the same key: a table of
        # fifty cells costs more to render through templates than to read the figures.
        html = cache.get(f"html:{key}")
        if html is None:
            html = render_to_string(
                "safety/rate/_figures.html",
                _rate_figures(school, period, now, ledger, span),
                request=request,
            )
            cache.set(f"html:{key}", html, RATE_PAGE_CACHE_SECONDS)
        context.update(
            figures_html=html,
            ledger_period_url=f"{ledger}?{span}" if ledger else "",
        )
    return render(request, "safety/reports/rate.html", context)


# --- Drills ---------------------------------------------------------------------------------


def _drill_rows(drills):
    kinds = dict(DrillKind.choices)
    for drill in drills:
        drill.kind_label = kinds.get(drill.kind, drill.kind)
        drill.evacuation = format_duration(drill.evacuation_seconds)
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
        "picker": period_picker_context(picker),
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
