"""Reminders of the repairs (a ticket past its start or finish target) and their tick
job (unconfirmed finished repairs close by themselves), declared for
``registry.autodiscover``."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.choices import Role
from logistics.common.reminders import Due, ReminderRule
from logistics.repairs.services.tickets import tickets_auto_confirm
from logistics.selectors import people_with_role


class TicketOverdueRule(ReminderRule):
    """An open repair ticket that missed its start or finish target: its technician (or,
    while nobody has it, general affairs) is reminded once per missed target."""

    name = "ticket_overdue"

    def due(self, now):
        from logistics.models import Reminder
        from logistics.repairs.models import Ticket
        from logistics.repairs.selectors.tickets import overdue_q

        overdue = list(
            Ticket.objects.filter(overdue_q(now), school__is_active=True)
            .select_related("school", "assignee", "room__building")
            .order_by("pk")
        )
        keys = {}
        for ticket in overdue:
            missed = ticket.overdue_at(now)
            deadline = ticket.respond_by if missed == "response" else ticket.complete_by
            # A reopened ticket gets a new target, and so a new reminder.
            keys[ticket.pk] = (f"{ticket.pk}:{missed}:{deadline:%Y%m%d%H%M}", missed, deadline)
        # Reminders already sent are skipped here, in one query, not by one failed
        # insert each on every tick.
        sent = set(
            Reminder.objects.filter(
                rule=self.name, key__in=[key for key, _m, _d in keys.values()]
            ).values_list("key", flat=True)
        )
        for ticket in overdue:
            key, missed, deadline = keys[ticket.pk]
            if key in sent:
                continue
            recipients = (
                [ticket.assignee]
                if ticket.assignee_id and ticket.assignee.is_active
                else people_with_role(ticket.school, Role.GENERAL_AFFAIRS)
            )
            with translation.override(settings.LANGUAGE_CODE):
                if missed == "response":
                    title = _("Repair #%(number)s is overdue: nobody has started it")
                else:
                    title = _("Repair #%(number)s is overdue: it is not finished")
                yield Due(
                    school=ticket.school,
                    key=key,
                    title=title % {"number": ticket.pk},
                    body=_("%(room)s · due %(deadline)s")
                    % {
                        "room": ticket.room,
                        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                    },
                    url=reverse("ticket_detail", args=[ticket.pk]),
                    recipients=recipients,
                )


reminder_rules = [TicketOverdueRule()]
tick_jobs = {"tickets_auto_confirm": tickets_auto_confirm}
