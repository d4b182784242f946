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
        from logistics.registry import MenuGroup, MenuItem, registry
        from logistics.reminder_rules import NoCurrentSemesterRule, SemesterEndingRule

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
        registry.register_reminder(SemesterEndingRule())
        registry.register_reminder(NoCurrentSemesterRule())
