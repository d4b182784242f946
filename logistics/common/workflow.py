from django.contrib.contenttypes.models import ContentType

from logistics.models import StatusChange


def status_record(obj, *, from_status, to_status, actor=None, note="", field="status", school=None):
    """Record one change of status of ``obj`` (who, when, from, to, note)."""
    return StatusChange.objects.create(
        school=school if school is not None else getattr(obj, "school", None),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        from_status=str(from_status),
        to_status=str(to_status),
        actor=actor,
        note=note,
    )
