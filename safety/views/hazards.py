"""Hazard pages (隐患台账): the ledger with its filters and export, reporting a hazard, a
hazard's page with the steps of its rectification, and the written report of a major
hazard to the supervising authority (PDF).

Who sees what: the ledger and a hazard's page are for everyone of the school who may
report hazards or view them; which hazards they see is ``selectors.hazard_visible``
(all of the school's for general affairs, safety officers and the principal; otherwise
the ones they reported or must rectify). Another school's hazard, or one the user may
not see, is a 404. Every step goes through ``safety.services``, which check the rules
again under a lock.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from logistics.common import rooms as places
from logistics.common.pagination import CountedPaginator
from logistics.common.permissions import permission_required
from logistics.common.spreadsheets import export_rows, xlsx_response
from logistics.common.views import (
    OnceCreateView,
    ScopedListView,
    WorkflowPage,
    filter_chips,
    school_required,
)
from logistics.documents.pdf import PDFTimeout, pdf_response, render_pdf
from safety import columns, lists, selectors
from safety.choices import (
    HazardLevel,
    HazardPhotoKind,
    HazardStatus,
    SafetyArea,
)
from safety.filters import HazardFilter
from safety.forms import hazards as forms
from safety.models import Hazard
from safety.services import hazards as services
from safety.services.common import INSPECTION_DETAIL_URL, link


def may_open_hazards(user):
    """The ledger and the hazards' pages: for whoever may report or view hazards."""
    return user.has_perm("safety.view_hazard") or user.has_perm("safety.add_hazard")


def may_print_report(user):
    """The written report of a major hazard: general affairs and the principal."""
    return user.has_perm("safety.print_hazard_report")


def _require_hazards(user):
    if not may_open_hazards(user):
        raise PermissionDenied


# --- The ledger ---------------------------------------------------------------------------

# The filter panel's fields: three selects of the school's buildings, departments and
# people responsible for a hazard (hundreds of options) cost more to read and draw than
# the rest of the page. Their markup is kept under the school's ``figures_version``
# (raised by every write to a hazard, building or department), the language and the
# filters asked, for at most this long (a person's new name shows then).
FILTER_FIELDS_TEMPLATE = "safety/hazards/_filter_fields.html"
FILTER_FIELDS_CACHE_SECONDS = 600


def filter_fields_html(user, filterset, params):
    """The markup of the ledger's filter fields (``FILTER_FIELDS_TEMPLATE``) as the
    filter set's form draws them for ``params`` (``filterset``, or one made for the
    drawing when the list was not filtered), read from the cache when the same school,
    stamp, language and filters drew it before."""

    def draw():
        shown = filterset or HazardFilter(params or None, queryset=Hazard.objects.none(), user=user)
        return render_to_string(FILTER_FIELDS_TEMPLATE, {"filter": shown})

    school = user.school
    if school is None:
        return draw()
    asked = sorted(
        (key, value) for key in HazardFilter.base_filters for value in params.getlist(key)
    )
    asked = hashlib.md5(repr((bool(params), asked)).encode(), usedforsecurity=False)
    key = (
        f"safety:hazard-filters:{school.pk}:{school.figures_version}:{get_language()}:"
        f"{asked.hexdigest()}"
    )
    html = cache.get(key)
    if html is None:
        html = draw()
        cache.set(key, html, FILTER_FIELDS_CACHE_SECONDS)
    return html


class HazardList(ScopedListView):
    """The hazard ledger: filters, sorting, pages, overdue rows marked, export."""

    filterset_class = HazardFilter
    title = gettext_lazy("Hazard ledger")
    template_name = "safety/hazards/list.html"
    page_sizes = (25, 50, 100)
    columns = columns.PAGE
    create_url_name = "safety_hazard_create"
    create_permission = "safety.add_hazard"
    # Any one of them (``may_open_hazards``): a reporter sees the hazards they reported.
    permission_required = (("safety.view_hazard",), ("safety.add_hazard",))

    def has_permission(self):
        return may_open_hazards(self.request.user)

    def listing(self):
        self.found = lists.hazard_ledger(self.request.user, self.request.GET)
        return self.found

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The ledger's count, when the listing knows it without counting the rows.
        if self.found.count is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)
        return CountedPaginator(
            queryset, per_page, orphans, allow_empty_first_page, count=self.found.count
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's ids; its rows are read by ``lists.page_rows`` (see there).
        rows = lists.page_rows(context["object_list"])
        context["page_obj"].object_list = rows
        params = self.request.GET.copy()
        params.pop("page", None)
        user = self.request.user
        context.update(
            object_list=rows,
            export_url=reverse("safety_hazard_export"),
            query=params.urlencode(),
            chips=self.chips(params),
            filter_fields=filter_fields_html(user, self.filterset, self.request.GET),
            tabs=self.tabs(user),
            today=timezone.localdate(),
        )
        return context

    def tabs(self, user):
        """Quick views: (label, query, active)."""
        current = self.request.GET
        tabs = [
            (_("All"), "", not any(current.get(k) for k in ("status", "overdue", "mine"))),
            (
                _("To rectify"),
                "status=rectifying",
                current.get("status") == HazardStatus.RECTIFYING,
            ),
            (
                _("Awaiting check"),
                "status=awaiting_check",
                current.get("status") == HazardStatus.AWAITING_CHECK,
            ),
            (_("Overdue"), "overdue=true", current.get("overdue") == "true"),
            (_("Mine to rectify"), "mine=rectify", current.get("mine") == "rectify"),
        ]
        if user.has_perm("safety.verify_hazard"):
            tabs.append((_("Mine to check"), "mine=check", current.get("mine") == "check"))
        return tabs

    def chips(self, params):
        """The filters in force, each with the address of the list without it."""
        return filter_chips(self.filterset, params)


@login_required
def hazard_export(request):
    """The ledger as xlsx with the list's filters and order (every matching hazard)."""
    _require_hazards(request.user)
    hazards = lists.hazard_ledger(request.user, request.GET, export=True).rows
    rows = export_rows(columns.EXPORT, hazards.iterator(chunk_size=1000))
    return xlsx_response("hazards.xlsx", columns.EXPORT, rows, title=_("Hazard ledger"))


# --- Reporting ------------------------------------------------------------------------------


class HazardCreate(OnceCreateView):
    """Reporting a hazard (of a room, ``?room=``, and a category, ``?category=``)."""

    permission_required = "safety.add_hazard"
    form_class = forms.HazardReportForm
    template_name = "safety/hazards/form.html"
    title = gettext_lazy("Report a hazard")
    url_name = "safety_hazard_detail"
    created_message = gettext_lazy("Hazard #%(number)s reported. General affairs is told.")
    again_message = gettext_lazy("This hazard was already reported.")

    def get_initial(self):
        initial = {}
        if self.request.method == "GET":
            asked = self.request.GET
            room = places.room_for_filing(self.request.user.school, asked.get("room"))
            if room is not None:
                initial.update(building=room.building_id, floor=room.floor, room=room.pk)
            if asked.get("category") in SafetyArea.values:
                initial["category"] = asked["category"]
        return initial

    def create(self, data):
        return services.hazard_report(
            actor=self.request.user,
            category=data["category"],
            level=data["level"],
            description=data["description"],
            room=data["room"],
            location=data["location"],
            photos=data["photos"],
            found_at=data["found_at"],
            submission_key=data["submission_key"],
        )


hazard_create = HazardCreate.as_view()


@login_required
@permission_required("safety.add_hazard", raise_exception=True)
@require_GET
def hazard_rooms(request):
    """htmx: the floor and room choices of the chosen building (the report form)."""
    school_required(request)
    return places.room_fields(request, forms.HazardReportForm)


# --- One hazard and its steps -----------------------------------------------------------------


class HazardPage(WorkflowPage):
    """A hazard, and the steps of its rectification the user may take now
    (``services.hazard_steps``)."""

    steps = services.hazard_steps
    selector = selectors.hazard_detail
    template_name = "safety/hazards/detail.html"
    url_name = "safety_hazard_detail"
    # The order the steps are offered in (the usual next step first).
    step_order = ("verify", "submit", "start", "plan", "assign", "defer", "photo", "withdraw")

    def has_permission(self):
        return may_open_hazards(self.request.user)

    def page_context(self, hazard, steps):
        user = self.request.user
        photos = list(hazard.photos.all())
        plan = services.plan_of(hazard)
        major = hazard.level == HazardLevel.MAJOR
        today = timezone.localdate()
        context = {
            "hazard": hazard,
            "title": _("Hazard #%(number)s") % {"number": hazard.pk},
            "found_photos": [p for p in photos if p.kind == HazardPhotoKind.FOUND],
            "rectified_photos": [p for p in photos if p.kind == HazardPhotoKind.RECTIFIED],
            "plan": plan,
            "deferrals": list(hazard.deferrals.all()),
            "history": selectors.hazard_history(hazard),
            "open_step": _open_step(hazard, steps, plan),
            "overdue": hazard.is_overdue(today),
            "needs_plan": major and plan is None and hazard.status != HazardStatus.WITHDRAWN,
            "report_url": reverse("safety_hazard_report_pdf", args=[hazard.pk])
            if major and may_print_report(user)
            else "",
            # Only to those who may open the inspection (its inspector, or whoever may
            # view inspections): the same rule as the inspection's page.
            "inspection_url": link(INSPECTION_DETAIL_URL, hazard.inspection_id)
            if hazard.inspection_id and selectors.inspection_opens(user, hazard.inspection)
            else "",
        }
        context.update(kept_markup(user, hazard, context, photos, today))
        context["step_forms"] = [
            (name, form, kept_fields(user, hazard, plan, name, form))
            for name, form in steps.items()
        ]
        return context


# The parts of a hazard's page that show the hazard alone (``_top.html``: what, where, who,
# photos, plan, arrangements; ``history.html``: its timeline) are drawn once and kept
# under the school's figures stamp (raised by every write to a hazard, a person, a room,
# an inspection), the hazard, what the page shows of its photos, plan, timeline and
# checklist (a photo added, a plan revised, a change recorded, a checklist renamed: each
# changes the key), the language, the time zone, the day (overdue) and the two links
# that depend on the user.
KEPT_MARKUP_SECONDS = 600


def kept_fields(user, hazard, plan, name, form):
    """The markup of an unbound step form's fields (``includes/form_fields.html``), kept
    under the school's figures stamp (the hazard, the people offered), the hazard, its
    plan's last change (the plan form's values), the user (what they may choose), the
    step and the language; "" for a bound form or a step drawn by the page itself."""
    school = user.school
    if form is None or form.is_bound or name == "verify" or school is None:
        return ""
    key = ":".join(
        str(part)
        for part in (
            "safety:hazard-step",
            school.pk,
            school.figures_version,
            hazard.pk,
            plan.updated_at.timestamp() if plan is not None else 0,
            user.pk,
            name,
            get_language(),
            timezone.get_current_timezone_name(),
        )
    )
    html = cache.get(key)
    if html is None:
        html = render_to_string("includes/form_fields.html", {"form": form})
        cache.set(key, html, KEPT_MARKUP_SECONDS)
    return mark_safe(html)  # noqa: S308 - drawn by the template above


def kept_markup(user, hazard, context, photos, today):
    """``{"top_html": …, "history_html": …}`` of ``hazard``'s page for ``context``."""

    def draw():
        return (
            render_to_string("safety/hazards/_top.html", context),
            render_to_string("safety/hazards/history.html", context),
        )

    school = user.school
    if school is None or school.pk != hazard.school_id:
        top, history = draw()
    else:
        plan, log = context["plan"], context["history"]
        # The checklist's and its item's names (their edits raise no stamp).
        source = ""
        if hazard.inspection_id:
            item = hazard.source_item
            source = repr((hazard.inspection.template.name, item.text if item else ""))
            source = hashlib.md5(source.encode(), usedforsecurity=False).hexdigest()
        key = ":".join(
            str(part)
            for part in (
                "safety:hazard-page",
                school.pk,
                school.figures_version,
                hazard.pk,
                get_language(),
                timezone.get_current_timezone_name(),
                today,
                len(photos),
                photos[-1].pk if photos else 0,
                plan.updated_at.timestamp() if plan is not None else 0,
                len(log),
                log[-1].pk if log else 0,
                int(bool(context["report_url"])),
                int(bool(context["inspection_url"])),
                source,
            )
        )
        found = cache.get(key)
        if found is None:
            found = draw()
            cache.set(key, found, KEPT_MARKUP_SECONDS)
        top, history = found
    return {"top_html": mark_safe(top), "history_html": mark_safe(history)}  # noqa: S308


def _open_step(hazard, steps, plan):
    """The step whose form is shown open: the one the hazard waits for."""
    if "verify" in steps:
        return "verify"
    if "submit" in steps:
        return "submit"
    if "assign" in steps and hazard.responsible_person_id is None:
        return "assign"
    if "plan" in steps and plan is None and hazard.level == HazardLevel.MAJOR:
        return "plan"
    return ""


hazard_detail = HazardPage.as_view()
hazard_action = HazardPage.as_view(action=True)


def _get_hazard(request, pk):
    _require_hazards(request.user)
    try:
        return selectors.hazard_detail(request.user, pk, with_school=True)
    except Hazard.DoesNotExist:
        raise Http404 from None


# --- The written report of a major hazard ------------------------------------------------------


@login_required
def hazard_report_pdf(request, pk):
    """重大安全隐患报告: the printable report of a major hazard to the supervising
    authority (A4, with its rectification plan and lines to sign).

    Rendered in the request: it is bounded by one hazard (its plan and deferrals, a page
    or two), and its deadline, ``PDF_RENDER_TIMEOUT``, stays below gunicorn's timeout
    (``WEB_TIMEOUT``; ``logistics.checks`` refuses to start otherwise). A PDF that grows
    with the data is a printed document made by Celery instead."""
    if not may_print_report(request.user):
        raise PermissionDenied
    hazard = _get_hazard(request, pk)
    if hazard.level != HazardLevel.MAJOR:
        messages.warning(
            request,
            _("Only a major hazard is reported in writing to the supervising authority."),
        )
        return redirect("safety_hazard_detail", pk=pk)
    context = {
        "hazard": hazard,
        "school": hazard.school,
        "district": hazard.school.district,
        "plan": services.plan_of(hazard),
        "deferrals": list(hazard.deferrals.all()),
        "title": _("Report of a major safety hazard"),
        "today": timezone.localdate(),
    }
    try:
        pdf = render_pdf("safety/hazards/report_pdf.html", context)
    except PDFTimeout:
        messages.error(request, _("Making the PDF took too long. Please try again."))
        return redirect("safety_hazard_detail", pk=pk)
    filename = _("Major hazard report #%(number)s.pdf") % {"number": hazard.pk}
    return pdf_response(pdf, filename, ascii_filename=f"major-hazard-{hazard.pk}.pdf")
