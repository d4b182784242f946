"""What campus safety wires at start-up besides its declarations (``SafetyConfig.ready``):
every write to a hazard, an inspection, a drill or a responsibility agreement raises its
school's figures stamp, in the same transaction, so the rectification rate page's, the
home cards' and the dashboard's cached figures are never stale
(``safety.services.common.hazard_written``)."""

from django.db.models.signals import post_delete, post_save


def connect():
    from safety.models import Drill, Hazard, Inspection, SafetyAgreement
    from safety.services.common import hazard_written

    post_save.connect(hazard_written, sender=Hazard, dispatch_uid="safety-hazard-saved")
    post_delete.connect(hazard_written, sender=Hazard, dispatch_uid="safety-hazard-deleted")
    # An inspection's status, inspector or dates: the home page's counts of one's checks.
    post_save.connect(hazard_written, sender=Inspection, dispatch_uid="safety-inspection-saved")
    post_delete.connect(hazard_written, sender=Inspection, dispatch_uid="safety-inspection-deleted")
    # Drills and agreements: the dashboard's safety section counts them.
    for model, name in ((Drill, "drill"), (SafetyAgreement, "agreement")):
        post_save.connect(hazard_written, sender=model, dispatch_uid=f"safety-{name}-saved")
        post_delete.connect(hazard_written, sender=model, dispatch_uid=f"safety-{name}-deleted")
