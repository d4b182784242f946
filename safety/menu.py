"""Campus safety's side menu. Each entry names the permissions its page's view declares (a
test holds them equal); the hazard ledger opens for whoever may view hazards or report one
(a reporter sees their own)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import MenuGroup, MenuItem

# The ledger's alternatives: any one of them is enough.
HAZARD_LEDGER = (("safety.view_hazard",), ("safety.add_hazard",))

menu_groups = [MenuGroup("safety", _("Safety"), "bi-shield-check", order=20)]

menu_items = [
    MenuItem(
        _("Inspections"), "safety_inspection_list", ("safety.view_inspection",), group="safety"
    ),
    MenuItem(_("Report a hazard"), "safety_hazard_create", ("safety.add_hazard",), group="safety"),
    MenuItem(_("Hazard ledger"), "safety_hazard_list", HAZARD_LEDGER, group="safety"),
    MenuItem(
        _("Rectification rate"),
        "safety_rate",
        ("safety.view_rectification_rate",),
        group="safety",
    ),
    MenuItem(
        _("Monthly hazard report"),
        "safety_monthly_report",
        ("safety.view_hazard", "safety.view_inspection"),
        group="safety",
    ),
    MenuItem(_("Drills"), "safety_drill_list", ("safety.view_drill",), group="safety"),
    MenuItem(
        _("Safety agreements"),
        "safety_agreement_list",
        ("safety.view_safetyagreement",),
        group="safety",
    ),
    MenuItem(
        _("Checklists"), "safety_checklist_list", ("safety.view_checklisttemplate",), group="safety"
    ),
    MenuItem(
        _("Inspection schedules"),
        "safety_schedule_list",
        ("safety.view_inspectionschedule",),
        group="safety",
    ),
]
