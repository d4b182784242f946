from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models import fields

        # Django's own catalogue has no Chinese for its new blank choice label.
        fields.BLANK_CHOICE_LABEL = _("- Select -")

        from logistics import home_cards
        from logistics.choices import Role
        from logistics.common.registry import MenuGroup, MenuItem, registry
        from logistics.reminder_rules import NoCurrentSemesterRule, SemesterEndingRule
        from logistics.repairs.reminders import TicketOverdueRule

        registry.register_menu(
            MenuGroup(
                key="overview",
                label=_("Overview"),
                icon="bi-speedometer2",
                order=5,
                items=(
                    MenuItem(
                        _("Dashboard"),
                        "dashboard",
                        roles=(Role.GENERAL_AFFAIRS, Role.PRINCIPAL),
                    ),
                    MenuItem(_("Semester summary"), "summary_index", ("logistics.view_document",)),
                ),
            )
        )
        registry.register_menu(
            MenuGroup(
                key="repairs",
                label=_("Repairs"),
                icon="bi-wrench-adjustable",
                order=10,
                items=(
                    MenuItem(_("File a repair"), "ticket_create", ("logistics.add_ticket",)),
                    MenuItem(_("My repair requests"), "ticket_mine", ("logistics.add_ticket",)),
                    MenuItem(_("My work queue"), "ticket_queue", ("logistics.work_ticket",)),
                    MenuItem(_("All tickets"), "ticket_list", ("logistics.view_ticket",)),
                    MenuItem(_("Repair statistics"), "ticket_stats", ("logistics.view_ticket",)),
                    MenuItem(_("QR stickers"), "ticket_stickers", ("logistics.dispatch_ticket",)),
                    MenuItem(
                        _("Dispatch rules"), "dispatch_rule_list", ("logistics.view_dispatchrule",)
                    ),
                    MenuItem(
                        _("Repair categories"),
                        "repair_category_list",
                        ("logistics.view_repaircategory",),
                    ),
                    MenuItem(
                        _("Materials catalogue"), "material_list", ("logistics.view_material",)
                    ),
                ),
            )
        )
        registry.register_menu(
            MenuGroup(
                key="setup",
                label=_("School set-up"),
                icon="bi-building-gear",
                order=900,
                items=(
                    MenuItem(_("Buildings"), "building_list", ("logistics.view_building",)),
                    MenuItem(_("Rooms"), "room_list", ("logistics.view_room",)),
                    MenuItem(_("Campuses"), "campus_list", ("logistics.view_campus",)),
                    MenuItem(_("Departments"), "department_list", ("logistics.view_department",)),
                    MenuItem(_("People"), "person_list", ("logistics.view_user",)),
                    MenuItem(_("Semesters"), "semester_list", ("logistics.view_semester",)),
                    MenuItem(_("School settings"), "school_settings", ("logistics.change_school",)),
                ),
            )
        )
        home_cards.register(registry)

        # The repairs section of the dashboard and of the semester summary.
        from logistics.repairs import sections as summary_sections

        summary_sections.register(registry)
        registry.register_reminder(SemesterEndingRule())
        registry.register_reminder(NoCurrentSemesterRule())
        registry.register_reminder(TicketOverdueRule())

        # Repair tickets: unconfirmed finished repairs close by themselves; their photos
        # are served to those who may see the ticket.
        from logistics.common.uploads import media_access
        from logistics.repairs.selectors.tickets import photo_readable
        from logistics.repairs.services.tickets import MEDIA_PREFIX, tickets_auto_confirm

        registry.register_tick_job("tickets_auto_confirm", tickets_auto_confirm)
        media_access.register(MEDIA_PREFIX, photo_readable)

        # Printed documents: the semester summary; the tick resumes what was left queued.
        from logistics.common.registry import DocumentKind
        from logistics.documents.selectors import SUMMARY_KIND, summary_title
        from logistics.documents.services.documents import documents_resume
        from logistics.documents.services.summary import summary_context

        registry.register_document_kind(
            DocumentKind(
                key=SUMMARY_KIND,
                title=_("Semester work summary"),
                template="documents/document.html",
                context=summary_context,
                read=("logistics.view_document",),
                make=("logistics.add_document",),
                filename=lambda document: f"{summary_title(document.semester)}.pdf",
            )
        )
        registry.register_tick_job("documents_resume", documents_resume)
        # A building's QR sticker sheet (it grows with the building: made in the background).
        from logistics.repairs.services import stickers

        stickers.register(registry)

        # Imports run as jobs; the tick resumes what was left queued or stopped.
        from logistics.services.imports import imports_resume

        registry.register_tick_job("imports_resume", imports_resume)

        # Hardening: the session clocks start at sign-in; Pillow's decompression-bomb limit.
        from django.contrib.auth.signals import user_logged_in

        from logistics.common.uploads import configure_pillow
        from logistics.middleware import session_started

        user_logged_in.connect(session_started, dispatch_uid="houqin-session-started")
        configure_pillow()

        # make bench: the core's data, key pages and timed jobs (logistics/bench).
        from logistics.bench import checks  # noqa: F401 - registers the deploy check
        from logistics.bench import core as bench_core

        bench_core.register(registry)
        from logistics.repairs import bench as bench_repairs

        bench_repairs.register(registry)

        # The time limits: no deadline inside a request reaches gunicorn's timeout.
        import logistics.checks  # noqa: F401 - registers the check
