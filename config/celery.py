"""The Celery app. Beat only ticks; what is due is decided from the database."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("houqin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.broker_connection_retry_on_startup = True
app.conf.broker_transport_options = {
    # Publishing (Connection.default_channel) retries a refused connection for
    # broker_connection_timeout with 2 s pauses, ~6 s per task: give up at once instead,
    # the tick sends what could not be enqueued.
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
}
app.conf.task_publish_retry = False
app.autodiscover_tasks()
