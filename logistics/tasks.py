"""Celery tasks: thin, take ids, idempotent; the work is in services."""

from celery import shared_task
from django.utils import timezone


@shared_task(ignore_result=True)
def tick():
    """Beat's only job: run the registered jobs, evaluate reminders from the database and
    flush deliveries."""
    from logistics.common.registry import registry
    from logistics.common.reminders import reminders_run
    from logistics.services.notifications import deliveries_flush

    now = timezone.now()
    for job in list(registry.tick_jobs.values()):
        job(now)
    reminders_run(now)
    deliveries_flush()


@shared_task(ignore_result=True)
def deliver_email(notification_id):
    from logistics.services.notifications import notification_deliver_email

    notification_deliver_email(notification_id)


@shared_task(ignore_result=True)
def deliver_chat(message_id):
    from logistics.services.notifications import chat_message_deliver

    chat_message_deliver(message_id)


@shared_task(ignore_result=True, acks_late=True, time_limit=600, soft_time_limit=540)
def document_render(document_id):
    """Make a printed document (the semester summary, a monthly report): see
    ``logistics.documents.services.documents``. A second delivery finds it taken and does
    nothing."""
    from logistics.documents.services.documents import document_render as render

    render(document_id)


@shared_task(ignore_result=True, acks_late=True, time_limit=660, soft_time_limit=600)
def import_run(job_id):
    """Import the rows of an uploaded xlsx (rooms or people): see
    ``logistics.services.imports``, whose ``TIME_LIMITS`` are these limits. A second
    delivery finds the job taken and does nothing."""
    from logistics.services.imports import import_run as run

    run(job_id)
