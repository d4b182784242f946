"""The repairs' side menu. Each entry names the permissions its page's view declares (a
test holds them equal)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import MenuGroup, MenuItem

menu_groups = [MenuGroup("repairs", _("Repairs"), "bi-wrench-adjustable", order=10)]

menu_items = [
    MenuItem(_("File a repair"), "ticket_create", ("logistics.add_ticket",), group="repairs"),
    MenuItem(_("My repair requests"), "ticket_mine", ("logistics.add_ticket",), group="repairs"),
    MenuItem(_("My work queue"), "ticket_queue", ("logistics.work_ticket",), group="repairs"),
    MenuItem(_("All tickets"), "ticket_list", ("logistics.view_ticket",), group="repairs"),
    MenuItem(_("Repair statistics"), "ticket_stats", ("logistics.view_ticket",), group="repairs"),
    MenuItem(_("QR stickers"), "ticket_stickers", ("logistics.dispatch_ticket",), group="repairs"),
    MenuItem(
        _("Dispatch rules"),
        "dispatch_rule_list",
        ("logistics.view_dispatchrule",),
        group="repairs",
    ),
    MenuItem(
        _("Repair categories"),
        "repair_category_list",
        ("logistics.view_repaircategory",),
        group="repairs",
    ),
    MenuItem(
        _("Materials catalogue"), "material_list", ("logistics.view_material",), group="repairs"
    ),
]
