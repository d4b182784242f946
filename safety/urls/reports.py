"""Routes of the reports pages: the rectification rate, drills, responsibility agreements
and the monthly hazard check report (PDF)."""

from django.urls import path

from safety.views import reports as views

urlpatterns = [
    path("rate/", views.rate, name="safety_rate"),
    path("drills/", views.drill_list, name="safety_drill_list"),
    path("drills/new/", views.drill_create, name="safety_drill_create"),
    path("drills/<int:pk>/", views.drill_detail, name="safety_drill_detail"),
    path("drills/<int:pk>/edit/", views.drill_edit, name="safety_drill_edit"),
    path("agreements/", views.agreement_list, name="safety_agreement_list"),
    path("agreements/new/", views.agreement_create, name="safety_agreement_create"),
    path("agreements/<int:pk>/retire/", views.agreement_retire, name="safety_agreement_retire"),
    path("reports/monthly/", views.monthly_report_page, name="safety_monthly_report"),
]
