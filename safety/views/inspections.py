"""Inspection pages: the list (an inspector's to-do, the office's filtered list), an
inspection by hand, inspecting on the phone item by item, its steps (start, submit,
cancel), and the set-up of checklists and schedules.

Inspecting: a planned inspection shows a "Start" button (starting copies the checklist's
items into the inspection, ``services.inspection_start``); each item is then answered
on its own: the item's form posts only that item (htmx swaps the item's card, the
progress follows out of band; without JavaScript the same form posts normally and the
page comes back at the item's anchor). Tapping "OK" or "Not applicable" saves the answer
at once (htmx); "Hazard" shows the hazard's fields and waits for "Save". Submitting is
refused, with the unanswered items named, until every item has an answer.
"""

import hashlib
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from logistics.choices import Role
from logistics.common.figures import FIGURES_CACHE_SECONDS, figures_key, kept_figures
from logistics.common.pagination import CountedPaginator
from logistics.common.submissions import with_submission_key
from logistics.common.views import (
    ScopedFormView,
    ScopedListView,
    WorkflowPage,
    add_service_errors,
    refusal_message,
    school_required,
)
from logistics.selectors import status_history
from safety import services
from safety.choices import (
    AREA_ICONS,
    InspectionStatus,
    Outcome,
)
from safety.forms import inspections as forms
from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    InspectionSchedule,
)
from safety.selectors import (
    inspection_answers,
    inspection_list,
    inspection_page,
    inspection_results,
    inspection_visible,
    inspections_done,
    inspector_list_kept,
    schedule_list,
    template_items,
    template_list,
)


def _is_htmx(request):
    return bool(getattr(request, "htmx", False))


# --- The list -----------------------------------------------------------------------------


class InspectionList(ScopedListView):
    """An inspector's own inspections (to do first, overdue flagged, then their recent
    ones) or, for those who oversee them, all of the school's with filters.

    Open to whoever may view inspections, and to anyone who has inspections of their own
    to do (a dorm manager doing the dorm checks)."""

    selector = inspection_list
    filterset_class = forms.InspectionFilter
    template_name = "safety/inspections/list.html"
    title = gettext_lazy("Safety inspections")
    page_sizes = (25, 50, 100)
    columns = [
        (gettext_lazy("Period"), "period"),
        (gettext_lazy("Checklist"), "checklist"),
        (gettext_lazy("Kind"), "kind"),
        (gettext_lazy("Inspector"), "inspector"),
        (pgettext_lazy("inspection", "Where"), None),
        (gettext_lazy("Status"), "status"),
        (gettext_lazy("Hazards"), "hazards"),
    ]
    sort_fields = {
        "period": "period_end",
        "checklist": "template__name",
        "kind": "kind",
        "inspector": "inspector__name",
        "status": "status",
        "hazards": "hazard_count",
    }
    default_sort = ("-period_end", "-pk")
    create_url_name = "safety_inspection_create"
    create_permission = "safety.add_inspection"
    # The page's permission (its menu entry's); an inspector without it sees their own.
    permission_required = "safety.view_inspection"

    def has_permission(self):
        user = self.request.user
        if user.has_perm("safety.view_inspection"):
            return True
        return user.school_id is not None and Inspection.objects.filter(inspector=user).exists()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        self.overseer = user.is_authenticated and user.has_perm("safety.view_inspection")
        tab = request.GET.get("tab", "")
        if not self.overseer:
            tab = "mine"
        elif tab not in ("mine", "all"):
            tab = "mine" if user.is_authenticated and user.has_role(Role.SAFETY_OFFICER) else "all"
        self.tab = tab
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_kwargs(self):
        return {"user": self.request.user}

    def get_queryset(self):
        user = self.request.user
        if self.tab == "mine":
            # The inspector's done (or cancelled) ones, latest first, below the open ones:
            # the cards of the three lists are read together, by one statement
            # (``get_context_data``); with the count kept (``get_paginator``), the query
            # here only names the model and pages the list.
            self.filterset, self.current_sort = None, ""
            if user.school is None:
                return inspections_done(user).values_list("pk", flat=True)
            return Inspection.objects.none()
        queryset = inspection_list(user).annotate(
            hazard_count=Count("results", filter=Q(results__outcome=Outcome.HAZARD))
        )
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, **self.get_filterset_kwargs()
        )
        return self.sort(self.filterset.qs)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        user = self.request.user
        if self.tab != "mine" or user.school is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)

        # The inspector's done ones change only by a write to an inspection, which
        # raises the school's figures stamp: their count is kept under it.
        def count():
            return kept_figures(
                "safety-inspections-done",
                user.school,
                lambda: (inspections_done(user).count(), None),
                user.pk,
            )

        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, count=count)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        context.update(tab=self.tab, overseer=self.overseer, now=now)
        if self.tab == "mine":
            # The three lists' cards, the page's of the done ones: one statement.
            page = context["page_obj"]
            to_do, upcoming, done = inspector_list_kept(
                user,
                now,
                done=page.paginator.per_page if page.paginator.count else 0,
                offset=(page.number - 1) * page.paginator.per_page,
            )
            context["page_obj"].object_list = done
            context.update(to_do=to_do, upcoming=upcoming, object_list=done)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query"] = params.urlencode()
        return context


# --- An inspection by hand ----------------------------------------------------------------


@login_required
@permission_required("safety.add_inspection", raise_exception=True)
def inspection_create(request):
    """A special or start-of-term inspection, planned by hand."""
    school_required(request)
    user, school = request.user, request.user.school
    status = 200
    if request.method == "POST":
        form = forms.InspectionCreateForm(request.POST, school=school)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_create(
                    school=school,
                    template=data["template"],
                    inspector=data["inspector"],
                    actor=user,
                    kind=data["kind"] or None,
                    area=data["area"],
                    room=data["room"],
                    location=data["location"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    submission_key=data["submission_key"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Inspection planned: %(inspection)s, by %(inspector)s.")
                    % {"inspection": inspection, "inspector": inspection.inspector.display_name},
                )
                return redirect("safety_inspection_detail", pk=inspection.pk)
        status = 400
    else:
        today = timezone.localdate()
        initial = {"period_start": today, "period_end": today}
        if user.has_role(Role.SAFETY_OFFICER):
            initial["inspector"] = user.pk
        template = request.GET.get("template", "")
        if template.isdigit():
            initial["template"] = int(template)
        form = forms.InspectionCreateForm(initial=initial, school=school)
    return render(
        request,
        "safety/inspections/create.html",
        {"form": form, "title": _("New inspection")},
        status=status,
    )


# --- One inspection -----------------------------------------------------------------------


def _get_inspection(request, pk):
    try:
        return inspection_page(request.user, pk)
    except Inspection.DoesNotExist:
        raise Http404 from None


def _room_labels(school):
    """``{label: room}`` of the school's rooms in use (the "where" box's suggestions)."""
    return {forms.room_label(room): room for room in forms.school_rooms(school)}


def _room_datalist(school):
    """The "where" box's suggestions: the markup of a ``<datalist>`` of the labels of
    ``_room_labels`` (empty when the school has no room) as UTF-8 bytes, drawn once and
    kept under the school's figures stamp (raised by every write to a room or building),
    put into the page's response as it is (``InspectionPage.render_page``). A school has
    hundreds of rooms: drawing their options through the template cost a third of the
    page."""
    key = figures_key("safety-room-datalist", school)
    html = cache.get(key)
    if html is None:
        options = "".join(
            f'<option value="{escape(label)}"></option>' for label in _room_labels(school)
        )
        html = f'<datalist id="school-rooms">{options}</datalist>'.encode() if options else b""
        cache.set(key, html, FIGURES_CACHE_SECONDS)
    return html


class RoomFinder:
    """Finds the room a "where" box names; reads the school's rooms once, when asked."""

    def __init__(self, school):
        self.school = school
        self._rooms = None

    def get(self, label, default=None):
        if not label:
            return default
        if self._rooms is None:
            self._rooms = _room_labels(self.school)
        return self._rooms.get(label, default)


# What the items' kept markup holds in place of the CSRF token (``InspectionPage.draw_forms``).
CSRF_STAND_IN = "csrf-token-stand-in-7c1e5b"
# Where the page's template leaves the kept markup (UTF-8 bytes) for the response to take.
ITEMS_MARK = "<!--safety-inspection-items-7c1e5b-->"
DATALIST_MARK = "<!--safety-room-datalist-7c1e5b-->"


def _result_form(result, inspection, rooms, data=None, files=None):
    return forms.ResultForm(data, files, result=result, inspection=inspection, rooms_by_label=rooms)


def _progress(results):
    total = len(results)
    counts = dict.fromkeys(Outcome.values, 0)
    for result in results:
        if result.outcome:
            counts[result.outcome] += 1
    answered = sum(counts.values())
    return {
        "total": total,
        "answered": answered,
        "ok": counts[Outcome.OK],
        "hazards": counts[Outcome.HAZARD],
        "not_applicable": counts[Outcome.NOT_APPLICABLE],
        "done": total > 0 and answered == total,
    }


# The markup of a step's form with nothing typed in, per form, prefix and language: the
# same for every inspection (no value, no error), drawn once per process.
_BLANK_FIELDS = {}


def _form_fields(form):
    """The markup of ``form``'s fields (``includes/form_fields.html``): drawn each time
    for a form with the user's input or any initial value, once per process otherwise."""
    if form.is_bound or form.initial:
        return render_to_string("includes/form_fields.html", {"form": form})
    key = (type(form), form.prefix, get_language())
    html = _BLANK_FIELDS.get(key)
    if html is None:
        html = _BLANK_FIELDS[key] = render_to_string("includes/form_fields.html", {"form": form})
    return html


class Answer:
    """An item of an inspection in progress as its page counts it (the items themselves
    are the kept markup): its number, item, text and outcome."""

    __slots__ = ("number", "item_id", "text", "outcome")

    def __init__(self, number, item_id, text, outcome):
        self.number, self.item_id, self.text, self.outcome = number, item_id, text, outcome


def _decorate(results):
    """Number the results and give each its area icon (for the cards)."""
    for number, result in enumerate(results, start=1):
        result.number = number
        result.icon = AREA_ICONS.get(result.area, "bi-check2-square")
    return results


class InspectionPage(WorkflowPage):
    """An inspection: its items (each answered on its own form while it is in progress),
    and its steps (start, submit, cancel: ``services.inspection_steps``). Someone who may
    see it but take no step of it gets a 403 for the step."""

    steps = services.inspection_steps
    selector = inspection_page
    template_name = "safety/inspections/detail.html"
    url_name = "safety_inspection_detail"
    forbidden = True

    def page_context(self, inspection, steps):
        """``self.bound`` may hold an item's form with the user's input (by item id)."""
        user = self.request.user
        actions = self.offered
        recording = "record" in actions
        items_html = None
        hazards = []
        if recording and not self.bound:
            # In progress: what each answer holds (plain values) finds the items' kept
            # markup with their forms, and counts the progress.
            answers = inspection_answers(inspection)
            results = [
                Answer(number, row["item_id"], row["text"], row["outcome"])
                for number, row in enumerate(answers, start=1)
            ]
            if results:
                self.fragments.append(
                    (ITEMS_MARK, self.draw_forms(inspection, self.forms_key(inspection, answers)))
                )
                items_html = mark_safe(ITEMS_MARK)  # noqa: S308 - a comment of ours
        else:
            results = _decorate(inspection_results(inspection))
            if recording:
                rooms = _room_labels(inspection.school)
                for result in results:
                    result.form = self.bound.get(result.item_id) or _result_form(
                        result, inspection, rooms
                    )
            for result in results:
                if result.hazard_id and result.hazard not in hazards:
                    hazards.append(result.hazard)
                # A hazard found before (the open one of the same item and place this
                # answer was recorded as): said so on the item and in the result.
                if result.hazard_id and result.hazard.inspection_id != inspection.pk:
                    result.hazard.found_before = True
            if results and not recording:
                items_html = self.items_html(inspection, results)
        submit_form = steps.get("submit") or forms.SubmitForm(prefix="submit")
        cancel_form = steps.get("cancel") or forms.CancelForm(prefix="cancel")
        preview = []
        if inspection.status == InspectionStatus.PLANNED:
            items = template_items(inspection.template)
            if inspection.area:
                items = items.filter(area=inspection.area)
            preview = list(items)
        context = {
            "inspection": inspection,
            "title": inspection.template.name,
            "results": results,
            "progress": _progress(results),
            "actions": actions,
            "room_datalist": self.room_datalist(inspection) if recording else "",
            "preview": preview,
            "hazards": hazards,
            "unanswered": [r for r in results if not r.outcome],
            "unanswered_error": self.refused == "unanswered",
            "overdue": inspection.is_overdue(timezone.now()),
            "covering": recording and inspection.inspector_id != user.pk,
            "submit_form": submit_form,
            "cancel_form": cancel_form,
            "submit_fields": _form_fields(submit_form) if "submit" in actions else "",
            "cancel_fields": _form_fields(cancel_form) if "cancel" in actions else "",
            "history_html": self.history_html(inspection),
        }
        if items_html is not None:
            context["items_html"] = items_html
        return context

    def render_page(self, obj, bound=None, *, status=200, refused=""):
        """The page, with the kept markup (``self.fragments``: ``(mark, UTF-8 bytes)``)
        put into the response where the template left its mark: a fragment of a hundred
        kilobytes is not copied through every level of the template."""
        self.fragments = []
        response = super().render_page(obj, bound, status=status, refused=refused)
        content = response.content
        for mark, html in self.fragments:
            content = content.replace(mark.encode(), html, 1)
        response.content = content
        return response

    def room_datalist(self, inspection):
        """The mark of the rooms' ``<datalist>`` (its markup put in by ``render_page``),
        or "" when the school has no room."""
        html = _room_datalist(inspection.school)
        if not html:
            return ""
        self.fragments.append((DATALIST_MARK, html))
        return mark_safe(DATALIST_MARK)  # noqa: S308 - a comment of ours

    def forms_key(self, inspection, answers):
        """The key of the items' markup with their forms: the school's figures stamp
        (raised by every write to an inspection, a hazard, a room or a person), the
        inspection, the language, the time zone and what each answer holds (an answer
        is saved without writing its inspection): ``answers``, the plain values of
        ``inspection_answers``."""
        digest = hashlib.md5(
            repr([tuple(row.values()) for row in answers]).encode(), usedforsecurity=False
        ).hexdigest()
        return figures_key(
            "safety-inspection-forms",
            inspection.school,
            inspection.pk,
            get_language(),
            timezone.get_current_timezone_name(),
            digest,
        )

    def draw_forms(self, inspection, key):
        """The items with their forms (each answer on its own form) as UTF-8 bytes, with
        the request's CSRF token put in: the markup kept under ``key`` (drawn with a
        stand-in for the token), drawn once (the results read with their forms) when it
        is not. Drawing fifty forms through the templates cost most of the page."""
        html = cache.get(key)
        if html is None:
            results = _decorate(inspection_results(inspection))
            rooms = _room_labels(inspection.school)
            for result in results:
                result.form = _result_form(result, inspection, rooms)
            html = render_to_string(
                f"{self.template_name}#items",
                {"inspection": inspection, "results": results, "csrf_token": CSRF_STAND_IN},
            ).encode()
            cache.set(key, html, FIGURES_CACHE_SECONDS)
        return html.replace(CSRF_STAND_IN.encode(), get_token(self.request).encode())

    def history_html(self, inspection):
        """The markup of the inspection's history panel, kept under the school's figures
        stamp (raised by every write to an inspection, in the transaction that records
        its change of status, and to a person), the inspection, the language and the
        time zone."""
        key = figures_key(
            "safety-inspection-history",
            inspection.school,
            inspection.pk,
            get_language(),
            timezone.get_current_timezone_name(),
        )
        html = cache.get(key)
        if html is None:
            html = render_to_string(
                "includes/history_panel.html", {"history": status_history(inspection)}
            )
            cache.set(key, html, FIGURES_CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308 - drawn by the panel's own template

    def items_html(self, inspection, results):
        """The markup of the items when they are read, not answered (no forms): kept
        under the school's figures stamp (raised by every write to an inspection, a
        hazard or a person), the inspection, the language and the time zone, so the
        items of a submitted inspection are drawn once until something they show
        changes."""
        key = figures_key(
            "safety-inspection-items",
            inspection.school,
            inspection.pk,
            get_language(),
            timezone.get_current_timezone_name(),
        )
        html = cache.get(key)
        if html is None:
            html = render_to_string(
                f"{self.template_name}#items",
                {"inspection": inspection, "results": results},
                request=self.request,
            )
            cache.set(key, html, FIGURES_CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308 - drawn by the page's own template


inspection_detail_page = InspectionPage.as_view()
inspection_action = InspectionPage.as_view(action=True)


def _detail(request, inspection, *, bound, status):
    """The inspection's page with an item's form shown again (``{item_id: form}``)."""
    page = InspectionPage()
    page.setup(request, pk=inspection.pk)
    return page.render_page(inspection, bound, status=status)


def _item_anchor(inspection, item_id):
    return reverse("safety_inspection_detail", args=[inspection.pk]) + f"#item-{item_id}"


def _field_errors_to_place(exc):
    """The service names the hazard's place ``room`` / ``location``; the form has one box."""
    if hasattr(exc, "error_dict"):
        errors = dict(exc.error_dict)
        for name in ("room", "location"):
            if name in errors:
                errors.setdefault("place", []).extend(errors.pop(name))
        return ValidationError(errors)
    return exc


@login_required
@require_POST
def inspection_result(request, pk, item):
    """Save the answer to one item. htmx gets the item's card back (and the progress, out
    of band); a plain form post comes back to the item on the page."""
    try:
        inspection = (
            inspection_visible(request.user)
            .select_related("school", "template", "inspector", "room__building")
            .get(pk=pk)
        )
    except Inspection.DoesNotExist:
        raise Http404 from None
    user = request.user
    steps = services.inspection_steps
    if not steps.permits("record", user, inspection):
        raise PermissionDenied(steps.steps["record"].refusal)
    if inspection.status == InspectionStatus.PLANNED:
        messages.error(request, _("Start the inspection first."))
        url = reverse("safety_inspection_detail", args=[pk])
        return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)
    result = get_object_or_404(
        InspectionResult.objects.select_related("item", "room__building", "hazard"),
        inspection=inspection,
        item_id=item,
    )
    rooms = RoomFinder(inspection.school)
    form = _result_form(result, inspection, rooms, request.POST, request.FILES)
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.inspection_record_result(
                inspection,
                result.item_id,
                data["outcome"],
                data["note"],
                data["photo"],
                actor=user,
                hazard_level=data["hazard_level"],
                room=data["room"],
                location=data["location"],
                remove_photo=data["remove_photo"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # Not the input: the inspection was submitted or cancelled meanwhile.
                refusal_message(request, exc)
                url = reverse("safety_inspection_detail", args=[pk])
                return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)
            add_service_errors(form, _field_errors_to_place(exc))
        else:
            saved = True
    if not _is_htmx(request):
        if saved:
            messages.success(request, _("Saved: %(item)s") % {"item": result.text})
            return redirect(_item_anchor(inspection, result.item_id))
        inspection = _get_inspection(request, pk)
        return _detail(request, inspection, bound={result.item_id: form}, status=400)
    # htmx: the item's card (with a fresh form once saved), and the progress.
    results = _decorate(list(inspection.results.select_related("item", "room__building")))
    fresh = next(r for r in results if r.item_id == result.item_id)
    fresh.form = _result_form(fresh, inspection, rooms) if saved else form
    return render(
        request,
        "safety/inspections/detail.html#item-saved",
        {
            "inspection": inspection,
            "r": fresh,
            "saved": saved,
            "progress": _progress(results),
        },
    )


# --- Set-up: checklists -------------------------------------------------------------------


class ChecklistList(ScopedListView):
    permission_required = "safety.view_checklisttemplate"
    selector = template_list
    template_name = "safety/inspections/checklist_list.html"
    title = gettext_lazy("Checklists")
    paginate_by = 50
    columns = [
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Kind"), "kind"),
        (gettext_lazy("Area"), "area"),
        (gettext_lazy("Items"), "items"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {"name": "name", "kind": "kind", "area": "area", "items": "item_count"}
    default_sort = ("-is_active", "kind", "name")
    create_url_name = "safety_checklist_create"
    create_permission = "safety.add_checklisttemplate"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["defaults_url"] = (
            reverse("safety_checklist_defaults")
            if user.has_perm("safety.add_checklisttemplate") and user.school_id
            else ""
        )
        return context


@login_required
@permission_required("safety.add_checklisttemplate", raise_exception=True)
@require_POST
def checklist_defaults(request):
    school_required(request)
    added = services.checklists_load_defaults(request.user.school)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s default checklist added.",
                "%(count)s default checklists added.",
                added,
            )
            % {"count": added},
        )
    else:
        messages.info(request, _("The default checklists are loaded already."))
    return redirect("safety_checklist_list")


class ChecklistCreate(ScopedFormView):
    model = ChecklistTemplate
    form_class = forms.ChecklistTemplateForm
    service = services.checklist_template_save
    success_url_name = "safety_checklist_list"
    title_create = gettext_lazy("New checklist")
    title_edit = gettext_lazy("Edit checklist")

    def saved(self):
        messages.success(self.request, _("Checklist created: now add its items."))
        return redirect("safety_checklist_edit", pk=self.object.pk)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def _get_template(request, pk):
    if not request.user.has_perm("safety.view_checklisttemplate"):
        raise PermissionDenied
    school_required(request)
    return get_object_or_404(ChecklistTemplate.objects.for_user(request.user), pk=pk)


def _checklist_page(request, template, *, bound=None, status=200):
    user = request.user
    bound = bound or {}
    can_change = user.has_perm("safety.change_checklisttemplate")
    can_items = user.has_perm("safety.change_checklistitem")
    items = list(template_items(template, include_retired=True))
    active = [i for i in items if i.is_active]
    for item in items:
        item.icon = AREA_ICONS.get(item.area, "bi-check2-square")
        if can_items:
            item.form = bound.get(item.pk) or forms.ChecklistItemForm(template=template, item=item)
    for index, item in enumerate(active):
        item.first, item.last = index == 0, index == len(active) - 1
    context = {
        "template": template,
        "title": template.name,
        "items": items,
        "active_count": len(active),
        "can_change": can_change,
        "can_items": can_items,
        "can_add_items": user.has_perm("safety.add_checklistitem"),
        "can_plan": user.has_perm("safety.add_inspection"),
        "template_form": bound.get("template")
        or (
            forms.ChecklistTemplateForm(
                instance=template, school=template.school, prefix="template"
            )
            if can_change
            else None
        ),
        "new_item_form": bound.get("new")
        or with_submission_key(forms.ChecklistItemForm(template=template)),
    }
    return render(request, "safety/inspections/checklist_edit.html", context, status=status)


@login_required
def checklist_edit(request, pk):
    """A checklist and its items: everyone who may view checklists reads it; general
    affairs changes its fields here and its items through the forms on the page."""
    template = _get_template(request, pk)
    if request.method != "POST":
        return _checklist_page(request, template)
    if not request.user.has_perm("safety.change_checklisttemplate"):
        raise PermissionDenied
    form = forms.ChecklistTemplateForm(
        request.POST, instance=template, school=template.school, prefix="template"
    )
    if form.is_valid():
        try:
            services.checklist_template_save(
                school=request.user.school, instance=template, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": template})
            return redirect("safety_checklist_edit", pk=pk)
    template = _get_template(request, pk)
    return _checklist_page(request, template, bound={"template": form}, status=400)


@login_required
@permission_required("safety.add_checklistitem", raise_exception=True)
@require_POST
def checklist_item_add(request, pk):
    template = _get_template(request, pk)
    form = with_submission_key(forms.ChecklistItemForm(request.POST, template=template))
    if form.is_valid():
        try:
            item = services.checklist_item_save(template=template, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Item added: %(item)s") % {"item": item})
            return redirect(
                reverse("safety_checklist_edit", args=[pk]) + f"#checklist-item-{item.pk}"
            )
    return _checklist_page(request, template, bound={"new": form}, status=400)


def _get_item(request, pk, item):
    template = _get_template(request, pk)
    return template, get_object_or_404(ChecklistItem, pk=item, template=template)


@login_required
@permission_required("safety.change_checklistitem", raise_exception=True)
@require_POST
def checklist_item_edit(request, pk, item):
    template, item = _get_item(request, pk, item)
    form = forms.ChecklistItemForm(request.POST, template=template, item=item)
    if form.is_valid():
        try:
            services.checklist_item_save(template=template, instance=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": item})
            return redirect(
                reverse("safety_checklist_edit", args=[pk]) + f"#checklist-item-{item.pk}"
            )
    item.refresh_from_db()
    return _checklist_page(request, template, bound={item.pk: form}, status=400)


def _move(template, item, step):
    """Move ``item`` one place up (-1) or down (+1) among the items in use."""
    ids = [i.pk for i in template_items(template)]
    if item.pk not in ids:
        return
    index = ids.index(item.pk)
    other = index + step
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        services.checklist_items_reorder(template, ids)


@login_required
@permission_required("safety.change_checklistitem", raise_exception=True)
@require_POST
def checklist_item_action(request, pk, item, action):
    """Retire or restore an item, or move it up or down."""
    if action not in ("retire", "restore", "up", "down"):
        raise Http404
    template, item = _get_item(request, pk, item)
    try:
        if action == "retire":
            services.checklist_item_retire(item)
            messages.success(
                request,
                _("Retired: %(item)s. New inspections no longer ask it.") % {"item": item},
            )
        elif action == "restore":
            services.checklist_item_restore(item)
            messages.success(request, _("Back in use: %(item)s") % {"item": item})
        else:
            _move(template, item, -1 if action == "up" else 1)
    except ValidationError as exc:
        refusal_message(request, exc)
    return redirect(reverse("safety_checklist_edit", args=[pk]) + f"#checklist-item-{item.pk}")


# --- Set-up: schedules --------------------------------------------------------------------


class ScheduleList(ScopedListView):
    permission_required = "safety.view_inspectionschedule"
    selector = schedule_list
    title = gettext_lazy("Inspection schedules")
    row_template = "safety/inspections/rows/schedule.html"
    paginate_by = 50
    columns = [
        (gettext_lazy("Checklist"), "checklist"),
        (gettext_lazy("Frequency"), "frequency"),
        (gettext_lazy("Inspector"), "inspector"),
        (pgettext_lazy("inspection", "Where"), None),
        (gettext_lazy("In force"), "starts"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {
        "checklist": "template__name",
        "frequency": "frequency",
        "inspector": "inspector__name",
        "starts": "starts_on",
    }
    default_sort = ("-is_active", "frequency", "template__name", "pk")
    create_url_name = "safety_schedule_create"
    create_permission = "safety.add_inspectionschedule"


class ScheduleForm(ScopedFormView):
    model = InspectionSchedule
    form_class = forms.InspectionScheduleForm
    service = services.inspection_schedule_save
    success_url_name = "safety_schedule_list"
    title_create = gettext_lazy("New inspection schedule")
    title_edit = gettext_lazy("Edit inspection schedule")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
