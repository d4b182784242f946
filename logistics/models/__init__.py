"""The core's models: schools and places, people, notifications, the status log, imports.

The models of the app's parts live with them (``logistics.repairs.models``,
``logistics.documents.models``) and are imported here only so that Django registers
them with the ``logistics`` app; import them from their own module.
"""

import logistics.documents.models  # noqa: F401 - registers the documents' models
import logistics.repairs.models  # noqa: F401 - registers the repairs' models
from logistics.models.audit import StatusChange
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
from logistics.models.throttle import PasswordCheckThrottle
from logistics.models.users import TechnicianTrade, User

__all__ = [
    "Building",
    "Campus",
    "ChatMessage",
    "Department",
    "District",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "Notification",
    "PasswordCheckThrottle",
    "Reminder",
    "Room",
    "School",
    "Semester",
    "StatusChange",
    "TechnicianTrade",
    "User",
]
