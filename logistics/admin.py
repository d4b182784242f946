from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from logistics.forms.accounts import AdminPasswordChangeForm
from logistics.models import (
    Building,
    Campus,
    ChatMessage,
    Department,
    District,
    ImportJob,
    Notification,
    PasswordCheckThrottle,
    Reminder,
    Room,
    School,
    Semester,
    StatusChange,
    TechnicianTrade,
    User,
)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "district", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Campus)
class CampusAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "is_active"]
    list_filter = ["school"]
    search_fields = ["name"]
    list_select_related = ["school"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "campus", "floors_above", "floors_below", "is_active"]
    list_filter = ["school", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["school", "campus"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "building", "floor", "kind", "is_active"]
    list_filter = ["kind", "building__school", "is_active"]
    search_fields = ["number", "name", "building__name"]
    list_select_related = ["building"]
    autocomplete_fields = ["building"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "is_active"]
    list_filter = ["school"]
    search_fields = ["name"]


@admin.register(Semester)
class SemesterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "start_date", "end_date", "is_current"]
    list_filter = ["school", "is_current"]


class TechnicianTradeInline(admin.TabularInline):
    model = TechnicianTrade
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "school", "department", "phone", "is_active"]
    list_filter = ["school", "groups", "is_active", "is_staff"]
    search_fields = ["username", "name", "phone", "email"]
    list_select_related = ["school", "department"]
    inlines = [TechnicianTradeInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Person"),
            {"fields": ("name", "phone", "email", "school", "department", "district")},
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "is_staff",
                    "is_superuser",
                    "groups",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "school", "password1", "password2")}),
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "email_status"]
    list_filter = ["email_status", "school"]
    search_fields = ["title", "key", "recipient__username"]
    list_select_related = ["recipient"]
    readonly_fields = ["created_at"]


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "school"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["rule", "key", "school", "recipients", "created_at"]
    list_filter = ["rule", "school"]
    search_fields = ["key"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "field", "from_status", "to_status", "actor", "at"]
    list_filter = ["content_type", "field"]
    list_select_related = ["content_type", "actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Re-authentication throttle (logistics.services.people.password_check) ----------------
# The admin's own password change asks for the current password too: throttled the same
# way. An administrator lifts a pause early by deleting the person's row here.
admin.site.password_change_form = AdminPasswordChangeForm


@admin.register(PasswordCheckThrottle)
class PasswordCheckThrottleAdmin(admin.ModelAdmin):
    list_display = ["user", "failures", "last_failure_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__name"]
    readonly_fields = ["user", "failures", "last_failure_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read only: jobs are made by the import pages and run by the worker."""

    list_display = ["__str__", "school", "kind", "status", "created_by", "created_at"]
    list_filter = ["kind", "status", "school"]
    list_select_related = ["school", "created_by"]
    search_fields = ["file_name"]
    exclude = ["password_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
