from logistics.models.audit import StatusChange
from logistics.models.documents import Document, DocumentStatus, SummaryDraft
from logistics.models.imports import ImportJob, ImportKind, ImportStatus
from logistics.models.notifications import ChatMessage, Notification, Reminder
from logistics.models.organisation import (
    Building,
    Campus,
    Department,
    District,
    Room,
    School,
    Semester,
)
from logistics.models.repairs import (
    DispatchRule,
    Material,
    RepairCategory,
    Ticket,
    TicketMaterial,
    TicketPhoto,
)
from logistics.models.throttle import PasswordCheckThrottle
from logistics.models.users import TechnicianTrade, User

__all__ = [
    "Building",
    "Campus",
    "ChatMessage",
    "Department",
    "Document",
    "DocumentStatus",
    "DispatchRule",
    "District",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Material",
    "Notification",
    "PasswordCheckThrottle",
    "Reminder",
    "RepairCategory",
    "Room",
    "School",
    "Semester",
    "StatusChange",
    "SummaryDraft",
    "TechnicianTrade",
    "Ticket",
    "TicketMaterial",
    "TicketPhoto",
    "User",
]
