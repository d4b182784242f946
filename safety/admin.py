"""Admin of campus safety: readable lists, scoped to the signed-in user's school.

Statuses change only through ``safety.services`` (which record them), so the workflow
fields are read-only here, records are never deleted, and hazards and inspections are
not added from the admin.
"""

from django.contrib import admin

from safety.models import (
    ChecklistItem,
    ChecklistTemplate,
    Drill,
    DrillPhoto,
    Hazard,
    HazardDeferral,
    HazardPhoto,
    Inspection,
    InspectionResult,
    InspectionSchedule,
    RectificationPlan,
    SafetyAgreement,
)


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what the user may read (``for_user``: their school), deletes nothing."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(ScopedAdmin):
    """A workflow record: read in the admin, written by the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["sort_order", "area", "text", "guidance", "is_active"]
    can_delete = False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ScopedAdmin):
    list_display = ["name", "kind", "area", "school", "is_active", "updated_at"]
    list_filter = ["kind", "area", "is_active", "school"]
    search_fields = ["name"]
    list_select_related = ["school"]
    readonly_fields = ["default_key", "created_at", "updated_at"]
    inlines = [ChecklistItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ScopedAdmin):
    list_display = ["text", "area", "template", "sort_order", "is_active"]
    list_filter = ["area", "is_active", "template__kind"]
    search_fields = ["text", "guidance"]
    list_select_related = ["template"]


@admin.register(InspectionSchedule)
class InspectionScheduleAdmin(ScopedAdmin):
    list_display = [
        "template",
        "frequency",
        "inspector",
        "area",
        "starts_on",
        "ends_on",
        "is_active",
    ]
    list_filter = ["frequency", "is_active", "school"]
    search_fields = ["template__name", "inspector__name", "inspector__username", "scope_note"]
    list_select_related = ["template", "inspector"]
    autocomplete_fields = ["rooms"]
    raw_id_fields = ["inspector", "template"]


class InspectionResultInline(admin.TabularInline):
    model = InspectionResult
    extra = 0
    fields = ["sort_order", "area", "text", "outcome", "note", "hazard_level", "hazard", "photo"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(RecordAdmin):
    list_display = [
        "__str__",
        "kind",
        "inspector",
        "period_start",
        "period_end",
        "due_at",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "kind", "school"]
    search_fields = ["template__name", "inspector__name", "inspector__username"]
    list_select_related = ["template", "inspector"]
    date_hierarchy = "period_start"
    inlines = [InspectionResultInline]


class HazardPhotoInline(admin.TabularInline):
    model = HazardPhoto
    extra = 0
    fields = ["kind", "image", "width", "height", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class HazardDeferralInline(admin.TabularInline):
    model = HazardDeferral
    extra = 0
    fields = ["previous_deadline", "new_deadline", "reason", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(RecordAdmin):
    list_display = [
        "__str__",
        "level",
        "category",
        "status",
        "found_at",
        "responsible_person",
        "deadline",
        "closed_at",
    ]
    list_filter = ["status", "level", "category", "school"]
    search_fields = ["description", "location", "room__number", "room__building__name"]
    list_select_related = ["room__building", "responsible_person"]
    date_hierarchy = "found_at"
    inlines = [HazardPhotoInline, HazardDeferralInline]


@admin.register(RectificationPlan)
class RectificationPlanAdmin(RecordAdmin):
    list_display = ["hazard", "responsible_person", "funding", "deadline", "updated_at"]
    list_select_related = ["hazard__room__building", "responsible_person"]


@admin.register(InspectionResult)
class InspectionResultAdmin(RecordAdmin):
    list_display = ["text", "area", "outcome", "inspection", "recorded_by", "recorded_at"]
    list_filter = ["outcome", "area"]
    list_select_related = ["inspection__template", "recorded_by"]
    raw_id_fields = ["inspection", "item", "hazard", "room"]


@admin.register(HazardPhoto, HazardDeferral, DrillPhoto)
class PartAdmin(RecordAdmin):
    pass


class DrillPhotoInline(admin.TabularInline):
    model = DrillPhoto
    extra = 0
    fields = ["image", "width", "height", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Drill)
class DrillAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "held_on", "participants", "evacuation_seconds", "school"]
    list_filter = ["kind", "school"]
    search_fields = ["title", "notes", "location"]
    date_hierarchy = "held_on"
    inlines = [DrillPhotoInline]


@admin.register(SafetyAgreement)
class SafetyAgreementAdmin(RecordAdmin):
    list_display = ["title", "signer", "kind", "year", "signed_on", "is_active", "file_type"]
    list_filter = ["kind", "year", "is_active", "school"]
    search_fields = ["title", "signer__name", "signer__username"]
    list_select_related = ["signer"]
