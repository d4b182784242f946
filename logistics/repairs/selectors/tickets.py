"""Reads of repair tickets: who sees which ticket, the lists, a ticket with its parts."""

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS
from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from logistics.choices import Role
from logistics.common.figures import kept_figures
from logistics.common.ids import as_id
from logistics.models import Building, Room, StatusChange, User
from logistics.repairs.choices import OPEN_TICKET_STATUSES, TicketStatus
from logistics.repairs.models import (
    DispatchRule,
    Material,
    RepairCategory,
    Ticket,
    TicketMaterial,
    TicketPhoto,
)
from logistics.repairs.overdue import missed_target, overdue_q
from logistics.repairs.selectors import sql


def with_overdue(tickets, now=None):
    """``tickets`` with ``is_overdue`` computed in SQL (the lists' red flag)."""
    return tickets.annotate(is_overdue=ExpressionWrapper(overdue_q(now), BooleanField()))


def ticket_visible(user):
    """The tickets ``user`` may open: all of the school's for those who may view tickets
    (general affairs, principal), a technician's own and those of their trades, and
    everyone's own filed tickets. Another school's ticket is never among them."""
    tickets = Ticket.objects.for_user(user)
    if user.has_perm("logistics.view_ticket"):
        return tickets
    mine = Q(requester=user)
    if user.has_perm("logistics.work_ticket"):
        trades = user.trades.values("trade")
        # The school's maintenance team: their own and every ticket of their trades.
        mine |= Q(assignee=user) | Q(trade__in=trades)
        # Tickets they once worked on (reassigned since) stay readable.
        mine |= Q(
            pk__in=StatusChange.objects.filter(
                content_type__app_label="logistics",
                content_type__model="ticket",
                actor=user,
            ).values("object_id")
        )
    return tickets.filter(mine)


def ticket_list(user):
    """The school's tickets for general affairs' list: one query per page of rows."""
    return with_overdue(
        Ticket.objects.for_user(user).select_related(
            "room__building", "category", "assignee", "requester"
        )
    )


def my_tickets(user):
    return with_overdue(
        Ticket.objects.filter(requester=user).select_related(
            "room__building", "category", "assignee"
        )
    )


def my_ticket_ids(user):
    """The requester's tickets, as the ids whose cards a page reads (``ticket_cards``)."""
    return Ticket.objects.filter(requester=user).values_list("pk", flat=True)


def technician_queue(user):
    """A technician's open tickets: urgent first, then the oldest (ids, whose cards a
    page reads by ``ticket_cards``)."""
    return (
        Ticket.objects.filter(assignee=user, status__in=OPEN_TICKET_STATUSES)
        .order_by("-urgency", "created_at")
        .values_list("pk", flat=True)
    )


def tickets_to_take(user):
    """Tickets of the technician's trades that nobody has yet."""
    return (
        Ticket.objects.filter(
            school_id=user.school_id,
            status=TicketStatus.SUBMITTED,
            assignee__isnull=True,
            trade__in=user.trades.values("trade"),
        )
        .select_related("room__building", "category", "requester")
        .order_by("-urgency", "created_at")
    )


def ticket_detail(user, pk):
    """One ticket the user may see, with its photos and materials (raises DoesNotExist)."""
    return (
        ticket_visible(user)
        .select_related("room__building", "category", "assignee", "requester", "school")
        .prefetch_related(
            Prefetch("photos", queryset=TicketPhoto.objects.order_by("created_at", "pk")),
            Prefetch(
                "materials",
                queryset=TicketMaterial.objects.select_related("material").order_by(
                    "added_at", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )


def ticket_page(user, pk):
    """The ticket of its page, as ``ticket_detail`` reads it (raises DoesNotExist), from
    one statement (``sql.ticket_page``): a ticket whose room, building, category and
    people hold what the page shows of them, with ``page_photos``, ``page_materials``
    and ``page_history`` (the status log, its actors' names) read with it.

    Whether ``user`` may see it is decided from the ticket itself when they filed it,
    work it or may view the school's tickets (``ticket_visible``'s rule); else by asking
    ``ticket_visible`` (one query more)."""
    pk = as_id(pk)
    found = sql.ticket_page(pk) if pk is not None else None
    if found is None:
        raise Ticket.DoesNotExist
    row, parts = found
    ticket = _instance(Ticket, row)
    if not _plainly_visible(user, ticket) and not ticket_visible(user).filter(pk=pk).exists():
        raise Ticket.DoesNotExist
    cached = _related_setter(ticket)
    room = _related(Room, row, "room__", id=ticket.room_id)
    cached("room", room)
    building = _related(Building, row, "room__building__", id=row["room__building_id"])
    Room.building.field.set_cached_value(room, building)
    category = None
    if ticket.category_id is not None:
        category = _related(RepairCategory, row, "category__", id=ticket.category_id)
    cached("category", category)
    cached("requester", _related(User, row, "requester__", id=ticket.requester_id))
    assignee = None
    if ticket.assignee_id is not None:
        assignee = _related(User, row, "assignee__", id=ticket.assignee_id)
    cached("assignee", assignee)
    if ticket.school_id == user.school_id:
        cached("school", user.school)
    ticket.page_photos = [_instance(TicketPhoto, photo) for photo in parts["photos"]]
    ticket.page_materials = [_instance(TicketMaterial, used) for used in parts["materials"]]
    content_type = ContentType.objects.get_for_model(Ticket)
    history = []
    for values in parts["history"]:
        change = _instance(StatusChange, values)
        StatusChange.content_type.field.set_cached_value(change, content_type)
        actor = None
        if change.actor_id is not None:
            actor = _related(User, values, "actor__", id=change.actor_id)
        StatusChange.actor.field.set_cached_value(change, actor)
        history.append(change)
    ticket.page_history = history
    for part in (*ticket.page_photos, *ticket.page_materials):
        type(part).ticket.field.set_cached_value(part, ticket)
    return ticket


def _plainly_visible(user, ticket):
    """``ticket_visible``'s rule where the ticket alone decides it: a ticket of the
    user's school that they filed or work, or any of it for those who view tickets."""
    if ticket.school_id is None or ticket.school_id != user.school_id:
        return False
    return (
        ticket.requester_id == user.pk
        or ticket.assignee_id == user.pk
        or user.has_perm("logistics.view_ticket")
    )


def _instance(model, values):
    """A ``model`` instance of the values of its columns that ``values`` holds (by
    ``attname``), as the ORM makes one from a row (the others deferred)."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(
        DEFAULT_DB_ALIAS, [f.attname for f in fields], [values[f.attname] for f in fields]
    )


def _related(model, row, prefix, **known):
    """A ``model`` instance of the row's ``prefix``-ed values (and ``known`` ones)."""
    values = {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}
    return _instance(model, {**values, **known})


def _related_setter(obj):
    def cached(name, value):
        type(obj)._meta.get_field(name).set_cached_value(obj, value)

    return cached


def photo_readable(user, name):
    """May ``user`` see the ticket photo stored as ``name``?"""
    return TicketPhoto.objects.filter(
        image=name, ticket__in=ticket_visible(user).values("pk")
    ).exists()


# --- Choices for the forms -----------------------------------------------------------


def categories(school, trade=None):
    found = RepairCategory.objects.filter(school=school, is_active=True)
    if trade:
        found = found.filter(trade=trade)
    return found.order_by("trade", "sort_order", "name")


def technicians(school, trade=None):
    """The school's active technicians (of ``trade``, if given), each with their open load.

    The load is counted per technician by a subquery on the (assignee, status) index,
    not by joining every ticket they ever had and grouping: a technician's closed
    tickets grow without end, their open ones do not."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery

    people = User.objects.filter(school=school, is_active=True, groups__name=Role.TECHNICIAN)
    if trade:
        people = people.filter(trades__trade=trade)
    open_tickets = (
        Ticket.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_TICKET_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        people.annotate(
            open_tickets=Coalesce(Subquery(open_tickets, output_field=IntegerField()), 0)
        )
        .order_by("name", "username")
        .distinct()
    )


def catalogue(school):
    return Material.objects.filter(school=school, is_active=True).order_by("name", "spec")


def category_list(user):
    return RepairCategory.objects.for_user(user)


def dispatch_rule_list(user):
    return DispatchRule.objects.for_user(user).select_related("building", "technician")


def material_list(user):
    return Material.objects.for_user(user)


# --- Counts for the home page (one aggregate query each) ---------------------------------


def _counts(tickets, now, **extra):
    from django.db.models import Count

    return tickets.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_TICKET_STATUSES)),
        overdue=Count("pk", filter=overdue_q(now)),
        to_confirm=Count("pk", filter=Q(status=TicketStatus.DONE)),
        **extra,
    )


def _next_target(now):
    """The aggregates of the first start or finish target still ahead at ``now`` among
    open tickets: until then no ticket counted becomes overdue (``overdue_q``)."""
    from django.db.models import Min

    open_ = Q(status__in=OPEN_TICKET_STATUSES)
    return {
        "next_respond_by": Min(
            "respond_by", filter=open_ & Q(started_at__isnull=True, respond_by__gte=now)
        ),
        "next_complete_by": Min("complete_by", filter=open_ & Q(complete_by__gte=now)),
    }


def _with_next_change(counts):
    """``(counts, the moment the overdue count may change next)`` from ``_counts`` read
    with ``_next_target``'s aggregates."""
    from logistics.common.figures import earliest

    changes_at = earliest(counts.pop("next_respond_by"), counts.pop("next_complete_by"))
    return counts, changes_at


def requester_counts(user, now=None, *, with_next_change=False):
    """The requester's tickets: open, overdue, to confirm; with ``with_next_change``,
    ``(counts, when the overdue count may change next)``."""
    now = now or timezone.now()
    tickets = Ticket.objects.filter(requester=user)
    if with_next_change:
        return _with_next_change(_counts(tickets, now, **_next_target(now)))
    return _counts(tickets, now)


def technician_counts(user, now=None, *, with_next_change=False):
    now = now or timezone.now()
    tickets = Ticket.objects.filter(assignee=user)
    extra = _next_target(now) if with_next_change else {}
    counts = _counts(tickets, now, **extra)
    counts["to_take"] = tickets_to_take(user).count()
    return _with_next_change(counts) if with_next_change else counts


def school_counts(school, now=None, *, with_next_change=False):
    from django.db.models import Count

    now = now or timezone.now()
    extra = _next_target(now) if with_next_change else {}
    counts = _counts(
        Ticket.objects.filter(school=school),
        now,
        unassigned=Count("pk", filter=Q(status=TicketStatus.SUBMITTED)),
        on_hold=Count("pk", filter=Q(status=TicketStatus.ON_HOLD)),
        **extra,
    )
    return _with_next_change(counts) if with_next_change else counts


# General affairs' list, the busiest page of the office, reads its rows in two steps: the
# page's ticket ids (filtered and sorted by the ORM: a narrow query), then those tickets
# with their room, category and people by one hand-written statement (``sql.ticket_rows``),
# as plain values — no query compiled with five joins, no model instances.


def ticket_rows(ids, now=None):
    """The list's rows of the tickets ``ids``, in that order: dicts of
    ``sql.TICKET_ROW_KEYS`` plus ``is_overdue`` (``logistics.repairs.overdue``'s rule on
    the row's values, at ``now``). One statement: ``sql.ticket_rows``."""
    now = now or timezone.now()
    rows = sql.ticket_rows(ids)
    for row in rows:
        row["is_overdue"] = bool(
            missed_target(
                row["status"], row["started_at"], row["respond_by"], row["complete_by"], now
            )
        )
    return rows


def ticket_cards(ids, now=None):
    """The cards of the tickets ``ids`` (my requests, the technician's queue), in that
    order: dicts of ``sql.TICKET_CARD_KEYS`` plus ``is_overdue``, as ``ticket_rows``.
    One statement: ``sql.ticket_cards``."""
    now = now or timezone.now()
    cards = sql.ticket_cards(ids)
    for card in cards:
        card["is_overdue"] = bool(
            missed_target(
                card["status"], card["started_at"], card["respond_by"], card["complete_by"], now
            )
        )
    return cards


def ticket_card_lists(*ids, now=None):
    """The cards of several lists of ticket ids (``ticket_cards`` each), read together:
    one statement on PostgreSQL (``sql.ticket_card_lists``)."""
    now = now or timezone.now()
    lists = sql.ticket_card_lists(*ids)
    for cards in lists:
        for card in cards:
            card["is_overdue"] = bool(
                missed_target(
                    card["status"], card["started_at"], card["respond_by"], card["complete_by"], now
                )
            )
    return lists


def queue_card_lists(user, now=None):
    """A technician's queue: the cards of their open tickets (``technician_queue``) and
    of at most 50 of those to take (``tickets_to_take``), as ``ticket_card_lists`` reads
    them; on PostgreSQL by one statement written once (``sql.queue_card_lists``), the
    lists' ids queries inside it, nothing compiled a request."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ticket_card_lists(
            technician_queue(user),
            tickets_to_take(user).values_list("pk", flat=True)[:50],
            now=now,
        )
    now = now or timezone.now()
    lists = sql.queue_card_lists(user, OPEN_TICKET_STATUSES, TicketStatus.SUBMITTED, 50)
    for cards in lists:
        for card in cards:
            card["is_overdue"] = bool(
                missed_target(
                    card["status"], card["started_at"], card["respond_by"], card["complete_by"], now
                )
            )
    return lists


def queue_card_lists_kept(user, now=None):
    """``queue_card_lists`` kept under the school's figures stamp (raised by every write
    to a ticket, its materials, a category, a room or a person and their trades), the
    technician and the day, and until the next start or finish target of a card passes
    (it is late from then on)."""
    now = now or timezone.now()
    if user.school is None:
        return queue_card_lists(user, now)

    def compute():
        lists = queue_card_lists(user, now)
        targets = [
            card[target]
            for cards in lists
            for card in cards
            for target in ("respond_by", "complete_by")
            if card[target] is not None and card[target] > now
        ]
        return lists, min(targets, default=None)

    return kept_figures("repairs:queue", user.school, compute, user.pk, now=now)


def ticket_ids(user):
    """The school's tickets for the list, before filters and sorting (ids only)."""
    return Ticket.objects.for_user(user)
