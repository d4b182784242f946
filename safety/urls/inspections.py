"""Routes of the inspections pages: the list, inspecting, and the set-up of checklists and
schedules."""

from django.urls import path

from safety.views import inspections as views

urlpatterns = [
    path("inspections/", views.InspectionList.as_view(), name="safety_inspection_list"),
    path("inspections/new/", views.inspection_create, name="safety_inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail_page, name="safety_inspection_detail"),
    path(
        "inspections/<int:pk>/items/<int:item>/",
        views.inspection_result,
        name="safety_inspection_result",
    ),
    path(
        "inspections/<int:pk>/<slug:action>/",
        views.inspection_action,
        name="safety_inspection_action",
    ),
    # Set-up (general affairs; the principal and the safety officers read)
    path("checklists/", views.ChecklistList.as_view(), name="safety_checklist_list"),
    path("checklists/defaults/", views.checklist_defaults, name="safety_checklist_defaults"),
    path("checklists/new/", views.ChecklistCreate.as_view(), name="safety_checklist_create"),
    path("checklists/<int:pk>/", views.checklist_edit, name="safety_checklist_edit"),
    path(
        "checklists/<int:pk>/items/new/",
        views.checklist_item_add,
        name="safety_checklist_item_add",
    ),
    path(
        "checklists/<int:pk>/items/<int:item>/",
        views.checklist_item_edit,
        name="safety_checklist_item_edit",
    ),
    path(
        "checklists/<int:pk>/items/<int:item>/<slug:action>/",
        views.checklist_item_action,
        name="safety_checklist_item_action",
    ),
    path("schedules/", views.ScheduleList.as_view(), name="safety_schedule_list"),
    path("schedules/new/", views.ScheduleForm.as_view(), name="safety_schedule_create"),
    path("schedules/<int:pk>/edit/", views.ScheduleForm.as_view(), name="safety_schedule_edit"),
]
