"""Start-up checks of the time limits: no request can outlive gunicorn's timeout.

gunicorn kills a sync worker that has been silent for ``--timeout`` seconds: the
request in hand ends in a dropped connection, with no message. The Dockerfile and
docker-compose.yml give gunicorn ``--timeout "$WEB_TIMEOUT"``, the same variable the
settings read as ``WEB_TIMEOUT``, so the portal knows the timeout it runs under. These
checks (run by ``manage.py check``, ``migrate`` — the first step of the compose web
service — and the test suite) then refuse a configuration where:

- a deadline inside a request does not leave ``IN_REQUEST_MARGIN`` seconds of
  ``WEB_TIMEOUT`` for the rest of the request: ``PDF_RENDER_TIMEOUT`` (the PDFs still
  made in the request: the report of one major hazard) and ``CELERY_PUBLISH_TIMEOUT``
  (handing a task to the broker); a deadline that stops the work with a clear message
  must come before the timeout that kills the worker;
- the render limit of a printed document (``DOCUMENT_RENDER_TIMEOUT``, plus the time
  to read its records) reaches the document task's soft time limit: the render must
  stop itself and record why before Celery interrupts the task.

Everything that grows with the data without a bound (QR sticker sheets, monthly
reports, the semester summary) is a printed document made by Celery, not in a request.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Seconds of a request left besides its longest deadline (reading records, the
# response, a busy machine).
IN_REQUEST_MARGIN = 10
# Deadlines that can run inside a web request.
IN_REQUEST_DEADLINES = ("PDF_RENDER_TIMEOUT", "CELERY_PUBLISH_TIMEOUT")


@register(Tags.compatibility)
def time_limits(app_configs, **kwargs):
    from logistics.documents.services.documents import render_time_limit
    from logistics.tasks import document_render

    errors = []
    web = getattr(settings, "WEB_TIMEOUT", 0)
    if not web or web <= 0:
        errors.append(
            Error(
                "WEB_TIMEOUT must be a positive number of seconds (gunicorn's --timeout).",
                id="houqin.E001",
            )
        )
        web = 0
    for name in IN_REQUEST_DEADLINES:
        value = getattr(settings, name, None)
        if web and value is not None and value + IN_REQUEST_MARGIN > web:
            errors.append(
                Error(
                    f"{name} ({value:g} s) leaves less than {IN_REQUEST_MARGIN} s of "
                    f"WEB_TIMEOUT ({web} s): gunicorn would kill the worker before the "
                    "request can say what went wrong.",
                    hint=f"Lower {name} or raise WEB_TIMEOUT (gunicorn's --timeout).",
                    id="houqin.E002",
                )
            )
    run, soft = render_time_limit(), document_render.soft_time_limit
    if soft and run > soft:
        errors.append(
            Error(
                f"DOCUMENT_RENDER_TIMEOUT plus the time to read the records ({run} s) "
                f"exceeds the document task's soft time limit ({soft} s).",
                hint="Lower DOCUMENT_RENDER_TIMEOUT.",
                id="houqin.E003",
            )
        )
    return errors
