"""Routes of the hazards pages (隐患台账 and each hazard's rectification)."""

from django.urls import path

from safety.views import hazards

urlpatterns = [
    path("hazards/", hazards.HazardList.as_view(), name="safety_hazard_list"),
    path("hazards/export/", hazards.hazard_export, name="safety_hazard_export"),
    path("hazards/new/", hazards.hazard_create, name="safety_hazard_create"),
    path("hazards/new/rooms/", hazards.hazard_rooms, name="safety_hazard_rooms"),
    path("hazards/<int:pk>/", hazards.hazard_detail, name="safety_hazard_detail"),
    path("hazards/<int:pk>/report/", hazards.hazard_report_pdf, name="safety_hazard_report_pdf"),
    path("hazards/<int:pk>/<slug:action>/", hazards.hazard_action, name="safety_hazard_action"),
]
