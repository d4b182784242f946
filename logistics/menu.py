"""The core's side menu: the overview (its dashboard; the parts add theirs) and the school
set-up. Each entry names the permissions its page's view declares (a test holds them
equal)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import MenuGroup, MenuItem

menu_groups = [
    MenuGroup("overview", _("Overview"), "bi-speedometer2", order=5),
    MenuGroup("setup", _("School set-up"), "bi-building-gear", order=900),
]

menu_items = [
    MenuItem(_("Dashboard"), "dashboard", ("logistics.view_dashboard",), group="overview"),
    MenuItem(_("Buildings"), "building_list", ("logistics.view_building",), group="setup"),
    MenuItem(_("Rooms"), "room_list", ("logistics.view_room",), group="setup"),
    MenuItem(_("Campuses"), "campus_list", ("logistics.view_campus",), group="setup"),
    MenuItem(_("Departments"), "department_list", ("logistics.view_department",), group="setup"),
    MenuItem(_("People"), "person_list", ("logistics.view_user",), group="setup"),
    MenuItem(_("Semesters"), "semester_list", ("logistics.view_semester",), group="setup"),
    MenuItem(_("School settings"), "school_settings", ("logistics.change_school",), group="setup"),
]
