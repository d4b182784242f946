from logistics.models.audit import StatusChange
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
from logistics.models.users import TechnicianTrade, User

__all__ = [
    "Building",
    "Campus",
    "ChatMessage",
    "Department",
    "District",
    "Notification",
    "Reminder",
    "Room",
    "School",
    "Semester",
    "StatusChange",
    "TechnicianTrade",
    "User",
]
