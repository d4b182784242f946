from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety inspections and hazards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every write to a hazard raises its school's figures stamp (the rate page's cache).
        from django.db.models.signals import post_delete, post_save

        from logistics.common.registry import registry
        from logistics.common.uploads import media_access
        from safety import reminder_rules, summary_sections
        from safety.models import Hazard
        from safety.selectors import media_readable
        from safety.services.common import hazard_written
        from safety.uploads import MEDIA_PREFIX

        post_save.connect(hazard_written, sender=Hazard, dispatch_uid="safety-hazard-saved")
        post_delete.connect(hazard_written, sender=Hazard, dispatch_uid="safety-hazard-deleted")
        # The tick creates each period's inspections; reminders for inspections to do,
        # missed inspections and overdue hazards.
        reminder_rules.register(registry)
        # The "Campus safety" section of the dashboard and the semester summary.
        summary_sections.register(registry)
        # The monthly hazard check report as a printed document (made on the 1st).
        from safety import documents

        documents.register(registry)
        # Photos and scans under safety/ are served to those who may see their record.
        media_access.register(MEDIA_PREFIX, media_readable)
        # The menu and the home cards.
        from logistics.choices import Role
        from logistics.common.registry import MenuGroup, MenuItem
        from safety import home_cards

        office = (Role.GENERAL_AFFAIRS, Role.PRINCIPAL)
        school_roles = tuple(r for r in Role if r != Role.DISTRICT_VIEWER)
        registry.register_menu(
            MenuGroup(
                key="safety",
                label=_("Safety"),
                icon="bi-shield-check",
                order=20,
                items=(
                    MenuItem(
                        _("Inspections"), "safety_inspection_list", ("safety.view_inspection",)
                    ),
                    MenuItem(_("Report a hazard"), "safety_hazard_create", ("safety.add_hazard",)),
                    MenuItem(_("Hazard ledger"), "safety_hazard_list", roles=school_roles),
                    MenuItem(
                        _("Rectification rate"), "safety_rate", ("safety.view_hazard",), office
                    ),
                    MenuItem(
                        _("Monthly hazard report"),
                        "safety_monthly_report",
                        ("safety.view_hazard", "safety.view_inspection"),
                    ),
                    MenuItem(_("Drills"), "safety_drill_list", ("safety.view_drill",)),
                    MenuItem(
                        _("Safety agreements"),
                        "safety_agreement_list",
                        ("safety.view_safetyagreement",),
                    ),
                    MenuItem(
                        _("Checklists"), "safety_checklist_list", ("safety.view_checklisttemplate",)
                    ),
                    MenuItem(
                        _("Inspection schedules"),
                        "safety_schedule_list",
                        ("safety.view_inspectionschedule",),
                    ),
                ),
            )
        )
        home_cards.register(registry)

        # seed_demo's semester of safety records; the bench's safety data and rate page.
        from safety import bench as safety_bench
        from safety import demo as safety_demo

        safety_demo.register(registry)
        safety_bench.register(registry)
