"""What the core wires at start-up besides its declarations (``LogisticsConfig.ready``).

Declarations (menus, cards, sections, reminders, documents, media, demo, bench) are data
the registry reads from the conventional modules; this is the rest, which changes how
Django or a library behaves:

- the blank choice label: Django's own catalogue has no Chinese for it;
- the session clocks start at sign-in (``user_logged_in`` → ``middleware.session_started``);
- every write to a repair ticket raises its school's figures stamp
  (``logistics.repairs.services.tickets.ticket_written``);
- Pillow refuses decompression bombs (``uploads.configure_pillow``);
- the system checks: the time limits (``logistics.checks``) and the bench pages' deploy
  warning (``logistics.bench.checks``), registered by importing them.
"""

from django.contrib.auth.signals import user_logged_in
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


def connect():
    fields.BLANK_CHOICE_LABEL = _("- Select -")

    from logistics.middleware import session_started

    user_logged_in.connect(session_started, dispatch_uid="houqin-session-started")

    from logistics.common.uploads import configure_pillow

    configure_pillow()

    from django.db.models.signals import post_delete, post_save

    from logistics.repairs.models import Ticket, TicketMaterial
    from logistics.repairs.services.tickets import ticket_material_written, ticket_written

    # Every write to a ticket or its materials raises its school's figures stamp, in the
    # same transaction.
    post_save.connect(ticket_written, sender=Ticket, dispatch_uid="repairs-ticket-saved")
    post_delete.connect(ticket_written, sender=Ticket, dispatch_uid="repairs-ticket-deleted")
    for signal, uid in ((post_save, "saved"), (post_delete, "deleted")):
        signal.connect(
            ticket_material_written, sender=TicketMaterial, dispatch_uid=f"repairs-material-{uid}"
        )

    import logistics.bench.checks  # noqa: F401 - registers the deploy check
    import logistics.checks  # noqa: F401 - registers the time limits' checks
