"""Grant the roles their campus safety permissions."""

from django.db import migrations

# Frozen here: later changes need a migration of their own.
ALL_MODELS = (
    "checklisttemplate",
    "checklistitem",
    "inspectionschedule",
    "inspection",
    "inspectionresult",
    "hazard",
    "hazardphoto",
    "rectificationplan",
    "hazarddeferral",
    "drill",
    "drillphoto",
    "safetyagreement",
)
ROLE_PERMISSIONS = {
    # 总务处: runs everything, assigns, defers and checks hazards.
    "general_affairs": [
        *(f"{action}_{model}" for model in ALL_MODELS for action in ("view", "add", "change")),
        "assign_hazard",
        "verify_hazard",
        "cancel_inspection",
    ],
    # 安全员/门卫: patrols and checks, reports hazards and sees the ledger, records drills.
    "safety_officer": [
        "view_checklisttemplate",
        "view_checklistitem",
        "view_inspectionschedule",
        *(f"{action}_{model}" for model in ("inspection", "inspectionresult") for action in ("view", "add", "change")),
        "view_hazard",
        "add_hazard",
        "view_hazardphoto",
        "add_hazardphoto",
        "view_rectificationplan",
        "view_hazarddeferral",
        *(f"{action}_{model}" for model in ("drill", "drillphoto") for action in ("view", "add", "change")),
    ],
    # 校长: reads everything.
    "principal": [f"view_{model}" for model in ALL_MODELS],
    # Everyone of the school may report a hazard (and sees the ones they reported).
    "staff": ["add_hazard"],
    "technician": ["add_hazard"],
    "canteen_manager": ["add_hazard"],
    "dorm_manager": ["add_hazard"],
}


def forwards(apps, schema_editor):
    from logistics.roles import grant

    grant(apps, "safety", ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
