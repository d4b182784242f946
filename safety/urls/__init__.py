"""The safety pages: inspections and their set-up, hazards, reports (rate, drills,
agreements, exports). Each part lists its own routes."""

from safety.urls import hazards, inspections, reports

urlpatterns = [*inspections.urlpatterns, *hazards.urlpatterns, *reports.urlpatterns]
