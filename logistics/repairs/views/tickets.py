"""Repair ticket pages: filing, my requests, the technician's queue, a ticket and its
steps, general affairs' list and export, and the repair set-up lists."""

import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from logistics.common import rooms
from logistics.common.figures import FIGURES_CACHE_SECONDS, figures_key, kept_figures
from logistics.common.pagination import CountedPaginator
from logistics.common.permissions import permission_required
from logistics.common.spreadsheets import export_rows, xlsx_response
from logistics.common.submissions import SubmissionKeyField
from logistics.common.views import (
    OnceCreateView,
    SchoolRequiredMixin,
    ScopedFormView,
    ScopedListView,
    WorkflowPage,
    filter_chips,
    refusal_message,
    school_required,
)
from logistics.repairs import columns, filters, lists
from logistics.repairs.choices import OPEN_TICKET_STATUSES, PhotoKind, TicketStatus
from logistics.repairs.forms import tickets as forms
from logistics.repairs.models import DispatchRule, Material, RepairCategory, Ticket, TicketMaterial
from logistics.repairs.selectors import tickets as selectors
from logistics.repairs.services import tickets as services

# --- Filing -------------------------------------------------------------------------------


@login_required
def ticket_room_link(request, room):
    """The address in a room's QR sticker: the filing form for that room."""
    school_required(request)
    if not request.user.has_perm("logistics.add_ticket"):
        raise PermissionDenied
    if rooms.room_for_filing(request.user.school, room) is None:
        raise Http404
    return redirect(f"{reverse('ticket_create')}?room={room}")


class TicketCreate(OnceCreateView):
    """The filing form (of a room, from its QR sticker's address ``?room=``)."""

    permission_required = "logistics.add_ticket"
    form_class = forms.TicketFileForm
    template_name = "repairs/ticket_form.html"
    title = gettext_lazy("File a repair")
    url_name = "ticket_detail"
    created_message = gettext_lazy("Repair #%(number)s filed. You will be told when it is done.")
    again_message = gettext_lazy("This request was already filed.")
    qr_room = None

    def get_initial(self):
        initial = {"contact_phone": self.request.user.phone}
        if self.request.method == "GET":
            asked = self.request.GET.get("room")
            self.qr_room = rooms.room_for_filing(self.request.user.school, asked)
            if self.qr_room is not None:
                room = self.qr_room
                initial.update(building=room.building_id, floor=room.floor, room=room.pk)
            elif asked:
                messages.warning(
                    self.request, _("That room is not in use here: choose the room below.")
                )
        return initial

    def get_context_data(self, **kwargs):
        context = {**super().get_context_data(**kwargs), "qr_room": self.qr_room}
        form = context.get("form")
        if form is not None and not form.is_bound and form.picked("building") in (None, ""):
            context["filing_form"] = self.kept_form(form)
        return context

    def kept_form(self, form):
        """The filing form with no building chosen yet and nothing typed: the same for
        everyone of the school but for the CSRF token, the one-time key and the phone
        (the person's own, filled in), drawn once with stand-ins for those, which each
        request puts in, and kept under the school's figures stamp (raised by every
        write to a building or a category) and the language."""
        school = self.request.user.school
        phone = form.initial.get("contact_phone") or ""
        key = figures_key("repairs-filing-form", school, get_language())
        html = cache.get(key)
        if html is None:
            form.initial = {**form.initial, "contact_phone": PHONE_STAND_IN}
            form.initial["submission_key"] = KEY_STAND_IN
            html = render_to_string(
                f"{self.template_name}#filing-form",
                {"form": form, "csrf_token": CSRF_STAND_IN},
            )
            cache.set(key, html, FIGURES_CACHE_SECONDS)
        html = html.replace(
            f' value="{PHONE_STAND_IN}"', f' value="{escape(phone)}"' if phone else ""
        )
        html = html.replace(CSRF_STAND_IN, get_token(self.request))
        html = html.replace(str(KEY_STAND_IN), str(uuid.uuid4()))
        return mark_safe(html)  # noqa: S308 - drawn by the template, escaped there

    def create(self, data):
        return services.ticket_file(
            requester=self.request.user,
            room=data["room"],
            trade=data["trade"],
            category=data["category"],
            description=data["description"],
            urgency=data["urgency"],
            contact_phone=data["contact_phone"],
            photos=data["photos"],
            submission_key=data["submission_key"],
        )


ticket_create = TicketCreate.as_view()


@login_required
@permission_required("logistics.add_ticket", raise_exception=True)
def ticket_rooms(request):
    """htmx: the floor and room choices of the chosen building."""
    school_required(request)
    return rooms.room_fields(request, forms.TicketFileForm)


@login_required
@permission_required("logistics.add_ticket", raise_exception=True)
def ticket_categories(request):
    """htmx: the categories of the chosen trade."""
    school_required(request)
    form = forms.TicketFileForm(
        initial={"trade": request.GET.get("trade", "")}, school=request.user.school
    )
    return render(request, "repairs/ticket_form.html#category-field", {"form": form})


# --- Lists --------------------------------------------------------------------------------


class TicketMine(LoginRequiredMixin, PermissionRequiredMixin, SchoolRequiredMixin, ListView):
    """The requests a person filed, newest first, as cards (a phone's list).

    The page's ids are read by the ORM and its cards by one statement
    (``selectors.ticket_cards``, on PostgreSQL the same round trip), as plain values drawn
    by ``{% ticket_cards %}``; the count of each tab is kept under the school's figures
    stamp, which every write to a ticket raises."""

    permission_required = "logistics.add_ticket"
    template_name = "repairs/mine.html"
    paginate_by = 20
    paginator_class = CountedPaginator
    tabs = {
        "open": (gettext_lazy("Open"), OPEN_TICKET_STATUSES),
        "done": (gettext_lazy("To confirm"), (TicketStatus.DONE,)),
        "closed": (gettext_lazy("Closed"), (TicketStatus.CLOSED, TicketStatus.CANCELLED)),
    }

    def get_queryset(self):
        tickets = selectors.my_ticket_ids(self.request.user)
        self.tab = self.request.GET.get("tab", "")
        if self.tab in self.tabs:
            tickets = tickets.filter(status__in=self.tabs[self.tab][1])
        else:
            self.tab = ""
        self.counted = tickets
        return tickets.order_by("-created_at", "-pk")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        user = self.request.user
        count = lambda: kept_figures(  # noqa: E731 - asked once, when the page needs it
            "repairs:mine", user.school, lambda: (self.counted.count(), None), user.pk, self.tab
        )
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, count=count
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cards = selectors.ticket_cards(context["object_list"])
        context["page_obj"].object_list = cards
        context.update(
            object_list=cards,
            title=_("My repair requests"),
            tab=self.tab,
            tabs=[(key, label) for key, (label, _statuses) in self.tabs.items()],
        )
        return context


@login_required
@permission_required("logistics.work_ticket", raise_exception=True)
def ticket_queue(request):
    """A technician's work: their open tickets, and those of their trades nobody has.

    Both lists' cards are read as plain values by one statement on PostgreSQL, their ids
    queries inside, written once (``selectors.queue_card_lists``; one each on SQLite),
    and drawn in one pass (``repairs`` tags); kept under the school's figures stamp until a
    target passes (``selectors.queue_card_lists_kept``)."""
    school_required(request)
    user = request.user
    mine, to_take = selectors.queue_card_lists_kept(user)
    return render(
        request,
        "repairs/queue.html",
        {"title": _("My work queue"), "mine": mine, "to_take": to_take},
    )


class TicketList(ScopedListView):
    """General affairs' list of the school's tickets: filters, sorting, export."""

    permission_required = "logistics.view_ticket"
    filterset_class = filters.TicketFilter
    title = gettext_lazy("Repair tickets")
    template_name = "repairs/list.html"
    page_sizes = (20, 50, 100)
    columns = columns.PAGE
    paginator_class = CountedPaginator
    create_url_name = "ticket_create"
    create_permission = "logistics.add_ticket"

    def listing(self):
        return lists.ticket_table(self.request.user, self.request.GET)

    def get_queryset(self):
        # The page's ids; its rows are read by ``selectors.ticket_rows`` (see there).
        self.found = self.listing()
        self.filterset, self.current_sort = self.found.filterset, self.found.sort
        return self.found.rows.values_list("pk", flat=True)

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, count=self.found.count
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("filters", None)
        rows = selectors.ticket_rows(context["object_list"])
        context["page_obj"].object_list = rows
        context.update(
            object_list=rows,
            export_url=reverse("ticket_export"),
            query=params.urlencode(),
            show_filters="filters" in self.request.GET,
            chips=self.chips(params),
        )
        return context

    def chips(self, params):
        """The filters in force, each with the address of the list without it."""
        return filter_chips(self.filterset, params)


@login_required
@permission_required("logistics.view_ticket", raise_exception=True)
def ticket_filters(request):
    """htmx: the filter panel of the ticket list, with the filters in force."""
    school_required(request)
    filterset = filters.TicketFilter(
        request.GET or None, queryset=Ticket.objects.none(), user=request.user
    )
    return render(
        request,
        "repairs/ticket_filters.html",
        {"filter": filterset, "current_sort": request.GET.get("sort", "")},
    )


@login_required
@permission_required("logistics.view_ticket", raise_exception=True)
def ticket_export(request):
    """The filtered list as xlsx (every matching ticket, not one page)."""
    tickets = lists.ticket_table(request.user, request.GET, export=True).rows
    rows = export_rows(columns.EXPORT, tickets.iterator(chunk_size=1000))
    return xlsx_response("repairs.xlsx", columns.EXPORT, rows, title=_("Repair tickets"))


# --- One ticket and its steps ---------------------------------------------------------------


# What the kept "What next" card holds in place of what each request puts in: the CSRF
# token, the ticket (its address) and each form's one-time key (``TicketPage.kept_actions``).
CSRF_STAND_IN = "csrf-token-stand-in-3b8e61"
PK_STAND_IN = 987_654_320_001
KEY_STAND_IN = uuid.UUID("3b8e6100-0000-4000-8000-0000a5ec0de1")
PHONE_STAND_IN = "phone-stand-in-3b8e61"


class TicketPage(WorkflowPage):
    """A ticket, and the steps the user may take on it now (``services.ticket_steps``).

    The ticket and its parts are read by one statement (``selectors.ticket_page``); the
    card of the steps' forms is drawn once and kept (``kept_actions``) unless a form
    holds the user's input."""

    steps = services.ticket_steps
    selector = selectors.ticket_page
    template_name = "repairs/ticket_detail.html"
    url_name = "ticket_detail"
    forms_name = "forms"
    next_urls = {"queue": "ticket_queue"}  # a technician taking a ticket from the queue

    def render_page(self, ticket, bound=None, *, status=200, refused=""):
        user = self.request.user
        offered = self.steps.offered(user, ticket)
        self.offered, self.bound, self.refused = offered, bound or {}, refused or ""
        context = self.page_context(ticket)
        if self.bound or ticket.school_id != user.school_id:
            forms = {name: self.steps.steps[name].make_form(user, ticket) for name in offered}
            forms.update(self.bound)
            context["forms"] = forms
        else:
            # The page asks only which steps there are; their card comes kept, and so
            # do the ticket's facts, parts and history.
            context["forms"] = dict.fromkeys(offered, True)
            context["actions"] = self.kept_actions(ticket, offered)
            context["body"], context["history_panel"] = self.kept_ticket(ticket, context)
        return render(self.request, self.template_name, context, status=status)

    def kept_ticket(self, ticket, context):
        """The markup of the ticket's facts, photos and materials (``body``) and of its
        history, drawn once and kept under the school's figures stamp — raised by every
        write to a ticket (its status changes, photos and materials come with one), a
        person, a room, a category — the ticket, whether its materials may be removed,
        the language and the time zone. The CSRF token of the materials' forms is put in
        by each request."""
        material = bool(context["forms"].get("material"))
        key = figures_key(
            "repairs-ticket-page",
            self.request.user.school,
            ticket.pk,
            material,
            get_language(),
            timezone.get_current_timezone_name(),
        )
        kept = cache.get(key)
        if kept is None:
            drawn = {**context, "csrf_token": CSRF_STAND_IN}
            kept = (
                render_to_string(f"{self.template_name}#body", drawn),
                render_to_string("includes/history_panel.html", drawn),
            )
            cache.set(key, kept, FIGURES_CACHE_SECONDS)
        body, history = kept
        if CSRF_STAND_IN in body:
            body = body.replace(CSRF_STAND_IN, get_token(self.request))
        return mark_safe(body), mark_safe(history)  # noqa: S308 - drawn by the templates

    def kept_actions(self, ticket, offered):
        """The "What next" card with the forms of the ``offered`` steps, drawn once (with
        stand-ins for the CSRF token, the ticket and the one-time keys, which each request
        puts in) and kept under the school's figures stamp — raised by every write to a
        ticket (the technicians' open load), a person (who the technicians are) or the
        materials catalogue — the steps, whether the ticket has a technician and the
        language. Drawing the forms through their templates cost most of the page."""
        if not offered:
            return ""
        user = self.request.user
        key = figures_key(
            "repairs-ticket-actions",
            user.school,
            ",".join(offered),
            ticket.assignee_id is not None,
            get_language(),
        )
        html = cache.get(key)
        if html is None:
            forms = {}
            for name in offered:
                form = self.steps.steps[name].make_form(user, ticket)
                for field_name, field in getattr(form, "fields", {}).items():
                    if isinstance(field, SubmissionKeyField):
                        form.initial[field_name] = KEY_STAND_IN
                forms[name] = form
            html = render_to_string(
                f"{self.template_name}#actions",
                {
                    "forms": forms,
                    "ticket": SimpleNamespace(pk=PK_STAND_IN, assignee=ticket.assignee),
                    "csrf_token": CSRF_STAND_IN,
                },
            )
            cache.set(key, html, FIGURES_CACHE_SECONDS)
        html = html.replace(CSRF_STAND_IN, get_token(self.request))
        html = html.replace(f"/{PK_STAND_IN}/", f"/{ticket.pk}/")
        first, *rest = html.split(str(KEY_STAND_IN))
        html = first + "".join(str(uuid.uuid4()) + piece for piece in rest)
        return mark_safe(html)  # noqa: S308 - drawn by the template, escaped there

    def page_context(self, ticket, forms=None):
        materials = ticket.page_materials
        photos = ticket.page_photos
        return {
            "ticket": ticket,
            "title": _("Repair #%(number)s") % {"number": ticket.pk},
            "photos": [p for p in photos if p.kind == PhotoKind.REPORT],
            "completion_photos": [p for p in photos if p.kind == PhotoKind.COMPLETION],
            "materials": materials,
            "materials_total": sum((m.total for m in materials), start=0),
            "history": ticket.page_history,
            "overdue": ticket.overdue_at(timezone.now()),
            "is_requester": ticket.requester_id == self.request.user.pk,
        }


ticket_detail = TicketPage.as_view()
ticket_action = TicketPage.as_view(action=True)


def _get_ticket(request, pk):
    try:
        return selectors.ticket_detail(request.user, pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def ticket_material_remove(request, pk, material):
    ticket = _get_ticket(request, pk)
    used = get_object_or_404(TicketMaterial, pk=material, ticket=ticket)
    try:
        services.ticket_material_remove(used, actor=request.user)
    except ValidationError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("Removed: %(item)s") % {"item": used})
    return redirect("ticket_detail", pk=pk)


# --- Set-up: categories, dispatch rules, materials ---------------------------------------


class CategoryList(ScopedListView):
    permission_required = "logistics.view_repaircategory"
    selector = selectors.category_list
    filterset_class = filters.RepairCategoryFilter
    title = gettext_lazy("Repair categories")
    columns = [
        (gettext_lazy("Trade"), "trade"),
        (gettext_lazy("Name"), "name"),
        (gettext_lazy("Order"), "order"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {"trade": "trade", "name": "name", "order": "sort_order"}
    default_sort = ("trade", "sort_order", "name")
    row_template = "repairs/rows/category.html"
    create_url_name = "repair_category_create"
    create_permission = "logistics.add_repaircategory"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["defaults_url"] = (
            reverse("repair_category_defaults")
            if user.has_perm("logistics.add_repaircategory") and user.school_id
            else ""
        )
        return context


class CategoryForm(ScopedFormView):
    model = RepairCategory
    form_class = forms.RepairCategoryForm
    service = services.repair_category_save
    success_url_name = "repair_category_list"
    title_create = gettext_lazy("New repair category")
    title_edit = gettext_lazy("Edit repair category")


@login_required
@permission_required("logistics.add_repaircategory", raise_exception=True)
@require_POST
def repair_categories_defaults(request):
    school_required(request)
    added = services.repair_categories_load_defaults(request.user.school)
    messages.success(request, _("%(count)s default categories added.") % {"count": added})
    return redirect("repair_category_list")


class RuleList(ScopedListView):
    permission_required = "logistics.view_dispatchrule"
    selector = selectors.dispatch_rule_list
    filterset_class = filters.DispatchRuleFilter
    title = gettext_lazy("Dispatch rules")
    columns = [
        (gettext_lazy("Trade"), "trade"),
        (gettext_lazy("Building"), "building"),
        (gettext_lazy("Technician"), "technician"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {
        "trade": "trade",
        "building": "building__name",
        "technician": "technician__name",
    }
    default_sort = ("trade", "building__name")
    row_template = "repairs/rows/rule.html"
    create_url_name = "dispatch_rule_create"
    create_permission = "logistics.add_dispatchrule"


class RuleForm(ScopedFormView):
    model = DispatchRule
    form_class = forms.DispatchRuleForm
    service = services.dispatch_rule_save
    success_url_name = "dispatch_rule_list"
    title_create = gettext_lazy("New dispatch rule")
    title_edit = gettext_lazy("Edit dispatch rule")


class MaterialList(ScopedListView):
    permission_required = "logistics.view_material"
    selector = selectors.material_list
    filterset_class = filters.MaterialFilter
    title = gettext_lazy("Materials catalogue")
    columns = [
        (gettext_lazy("Item"), "name"),
        (gettext_lazy("Specification"), "spec"),
        (gettext_lazy("Unit"), None),
        (gettext_lazy("Unit cost (yuan)"), "cost"),
        (gettext_lazy("Trade"), "trade"),
        (gettext_lazy("In use"), None),
    ]
    sort_fields = {"name": "name", "spec": "spec", "cost": "unit_cost", "trade": "trade"}
    default_sort = ("name", "spec")
    row_template = "repairs/rows/material.html"
    create_url_name = "material_create"
    create_permission = "logistics.add_material"


class MaterialForm(ScopedFormView):
    model = Material
    form_class = forms.MaterialForm
    service = services.material_save
    success_url_name = "material_list"
    title_create = gettext_lazy("New material")
    title_edit = gettext_lazy("Edit material")
