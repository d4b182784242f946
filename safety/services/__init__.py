"""The business actions of campus safety (``<entity>_<verb>``); every write goes through
them. They raise ``django.core.exceptions.ValidationError`` with field errors where a
form field is to blame, and ``logistics.common.workflow.Refusal`` (a ValidationError with
a ``code``: ``permission``, ``status``, ``unanswered``, ``plan``, ``same_person``,
``decided`` …) when the step itself is refused. The steps of a hazard and of an
inspection are declared on their services (``hazard_steps``, ``inspection_steps``).

``from safety import services`` gives all of them; the modules hold the rules:

- ``checklists``: default checklists, templates, items, schedules, the planning tick job;
- ``inspections``: start, answer, submit, cancel;
- ``hazards``: report, assign, plan, defer, rectify, check, withdraw;
- ``drills``: drills and responsibility agreements.
"""

from safety.services.checklists import (
    checklist_item_restore,
    checklist_item_retire,
    checklist_item_save,
    checklist_items_reorder,
    checklist_template_save,
    checklists_load_defaults,
    inspection_schedule_save,
    inspections_plan,
    period_of,
)
from safety.services.drills import (
    agreement_record,
    agreement_retire,
    drill_record,
    drill_update,
)
from safety.services.hazards import (
    hazard_assign,
    hazard_defer,
    hazard_photo_add,
    hazard_plan_save,
    hazard_report,
    hazard_start_rectifying,
    hazard_steps,
    hazard_submit_rectification,
    hazard_verify,
    hazard_withdraw,
    may_assign,
    may_rectify,
    may_verify,
)
from safety.services.inspections import (
    inspection_cancel,
    inspection_create,
    inspection_record_result,
    inspection_start,
    inspection_steps,
    inspection_submit,
    may_work,
)

__all__ = [
    "agreement_record",
    "agreement_retire",
    "checklist_item_restore",
    "checklist_item_retire",
    "checklist_item_save",
    "checklist_items_reorder",
    "checklist_template_save",
    "checklists_load_defaults",
    "drill_record",
    "drill_update",
    "hazard_assign",
    "hazard_defer",
    "hazard_photo_add",
    "hazard_plan_save",
    "hazard_report",
    "hazard_start_rectifying",
    "hazard_steps",
    "hazard_submit_rectification",
    "hazard_verify",
    "hazard_withdraw",
    "inspection_cancel",
    "inspection_create",
    "inspection_record_result",
    "inspection_schedule_save",
    "inspection_start",
    "inspection_steps",
    "inspection_submit",
    "inspections_plan",
    "may_assign",
    "may_rectify",
    "may_verify",
    "may_work",
    "period_of",
]
