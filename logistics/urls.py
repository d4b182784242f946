"""The core's pages (home, sign-in, notifications, media, dashboard, school set-up),
and the repairs' and documents' own URL modules."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from logistics.views import core, dashboard, media, setup

urlpatterns = [
    path("", core.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core.PasswordChangeView.as_view(), name="password_change"),
    # Uploads: only after a permission check (logistics/uploads.py); never public.
    path("media/<path:name>", media.protected_media, name="protected_media"),
    path("notifications/", core.notification_list, name="notification_list"),
    path("notifications/badge/", core.notification_badge, name="notification_badge"),
    path("notifications/read-all/", core.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/open/", core.notification_open, name="notification_open"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    # School set-up
    path("setup/school/", setup.school_settings, name="school_settings"),
    path("setup/campuses/", setup.CampusList.as_view(), name="campus_list"),
    path("setup/campuses/new/", setup.CampusForm.as_view(), name="campus_create"),
    path("setup/campuses/<int:pk>/edit/", setup.CampusForm.as_view(), name="campus_edit"),
    path("setup/buildings/", setup.BuildingList.as_view(), name="building_list"),
    path("setup/buildings/new/", setup.BuildingForm.as_view(), name="building_create"),
    path("setup/buildings/<int:pk>/edit/", setup.BuildingForm.as_view(), name="building_edit"),
    path("setup/rooms/", setup.RoomList.as_view(), name="room_list"),
    path("setup/rooms/new/", setup.RoomForm.as_view(), name="room_create"),
    path("setup/rooms/<int:pk>/edit/", setup.RoomForm.as_view(), name="room_edit"),
    path("setup/rooms/import/", setup.RoomImport.as_view(), name="room_import"),
    path("setup/rooms/import/<int:pk>/", setup.RoomImportJob.as_view(), name="room_import_job"),
    path(
        "setup/rooms/import/<int:pk>/status/",
        setup.RoomImportJob.as_view(status=True),
        name="room_import_job_status",
    ),
    path("setup/rooms/export/", setup.room_export, name="room_export"),
    path("setup/departments/", setup.DepartmentList.as_view(), name="department_list"),
    path("setup/departments/new/", setup.DepartmentForm.as_view(), name="department_create"),
    path(
        "setup/departments/<int:pk>/edit/",
        setup.DepartmentForm.as_view(),
        name="department_edit",
    ),
    path("setup/semesters/", setup.SemesterList.as_view(), name="semester_list"),
    path("setup/semesters/new/", setup.SemesterForm.as_view(), name="semester_create"),
    path("setup/semesters/<int:pk>/edit/", setup.SemesterForm.as_view(), name="semester_edit"),
    path(
        "setup/semesters/<int:pk>/make-current/",
        setup.semester_make_current,
        name="semester_make_current",
    ),
    path("setup/people/", setup.PersonList.as_view(), name="person_list"),
    path("setup/people/new/", setup.PersonFormView.as_view(), name="person_create"),
    path("setup/people/import/", setup.PersonImport.as_view(), name="person_import"),
    path(
        "setup/people/import/<int:pk>/",
        setup.PersonImportJob.as_view(),
        name="person_import_job",
    ),
    path(
        "setup/people/import/<int:pk>/status/",
        setup.PersonImportJob.as_view(status=True),
        name="person_import_job_status",
    ),
    path("setup/people/export/", setup.person_export, name="person_export"),
    path("setup/people/<int:pk>/", setup.PersonDetail.as_view(), name="person_detail"),
    path("setup/people/<int:pk>/edit/", setup.PersonFormView.as_view(), name="person_edit"),
    path("setup/people/<int:pk>/active/", setup.person_set_active, name="person_set_active"),
    path(
        "setup/people/<int:pk>/reset-password/",
        setup.person_reset_password,
        name="person_reset_password",
    ),
    path("", include("logistics.repairs.urls")),
    path("", include("logistics.documents.urls")),
]
