from safety.models.agreements import SafetyAgreement
from safety.models.checklists import ChecklistItem, ChecklistTemplate, InspectionSchedule
from safety.models.drills import Drill, DrillPhoto
from safety.models.hazards import Hazard, HazardDeferral, HazardPhoto, RectificationPlan
from safety.models.inspections import Inspection, InspectionResult

__all__ = [
    "ChecklistItem",
    "ChecklistTemplate",
    "Drill",
    "DrillPhoto",
    "Hazard",
    "HazardDeferral",
    "HazardPhoto",
    "Inspection",
    "InspectionResult",
    "InspectionSchedule",
    "RectificationPlan",
    "SafetyAgreement",
]
