"""The repairs' pages: filing (and a room's QR link), the lists, a ticket and its steps,
statistics, QR stickers, and the catalogues general affairs keeps (categories, dispatch
rules, materials)."""

from django.urls import path

from logistics.repairs.views import stats, stickers
from logistics.repairs.views import tickets as repairs

urlpatterns = [
    path("r/<int:room>/", repairs.ticket_room_link, name="ticket_room_link"),
    path("repairs/", repairs.TicketList.as_view(), name="ticket_list"),
    path("repairs/export/", repairs.ticket_export, name="ticket_export"),
    path("repairs/filters/", repairs.ticket_filters, name="ticket_filters"),
    path("repairs/new/", repairs.ticket_create, name="ticket_create"),
    path("repairs/new/rooms/", repairs.ticket_rooms, name="ticket_rooms"),
    path("repairs/new/categories/", repairs.ticket_categories, name="ticket_categories"),
    path("repairs/mine/", repairs.TicketMine.as_view(), name="ticket_mine"),
    path("repairs/queue/", repairs.ticket_queue, name="ticket_queue"),
    path("repairs/<int:pk>/", repairs.ticket_detail, name="ticket_detail"),
    path("repairs/<int:pk>/<slug:action>/", repairs.ticket_action, name="ticket_action"),
    path(
        "repairs/<int:pk>/materials/<int:material>/remove/",
        repairs.ticket_material_remove,
        name="ticket_material_remove",
    ),
    path("repairs/stats/", stats.ticket_stats, name="ticket_stats"),
    path("repairs/stickers/", stickers.ticket_stickers, name="ticket_stickers"),
    path("setup/repair-categories/", repairs.CategoryList.as_view(), name="repair_category_list"),
    path(
        "setup/repair-categories/new/",
        repairs.CategoryForm.as_view(),
        name="repair_category_create",
    ),
    path(
        "setup/repair-categories/<int:pk>/edit/",
        repairs.CategoryForm.as_view(),
        name="repair_category_edit",
    ),
    path(
        "setup/repair-categories/defaults/",
        repairs.repair_categories_defaults,
        name="repair_category_defaults",
    ),
    path("setup/dispatch-rules/", repairs.RuleList.as_view(), name="dispatch_rule_list"),
    path("setup/dispatch-rules/new/", repairs.RuleForm.as_view(), name="dispatch_rule_create"),
    path(
        "setup/dispatch-rules/<int:pk>/edit/", repairs.RuleForm.as_view(), name="dispatch_rule_edit"
    ),
    path("setup/materials/", repairs.MaterialList.as_view(), name="material_list"),
    path("setup/materials/new/", repairs.MaterialForm.as_view(), name="material_create"),
    path("setup/materials/<int:pk>/edit/", repairs.MaterialForm.as_view(), name="material_edit"),
]
