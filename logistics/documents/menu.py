"""The semester summary's entry in the core's overview. Its permissions are those its
page's view declares (a test holds them equal)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import MenuItem

menu_items = [
    MenuItem(
        _("Semester summary"), "summary_index", ("logistics.view_document",), group="overview"
    ),
]
