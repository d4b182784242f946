"""Enqueue Celery tasks after the surrounding transaction commits.

Saving never depends on the broker: if Redis is down the publish fails fast, is logged,
and the row stays ``pending`` for the next tick to deliver.
"""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def _publish(task, args):
    try:
        task.apply_async(args=args, retry=False, timeout=settings.CELERY_PUBLISH_TIMEOUT)
    except Exception:  # the broker is unreachable: the tick will pick the row up
        logger.warning("could not enqueue %s%r; left for the next tick", task.name, args)


def enqueue_on_commit(task, *args):
    transaction.on_commit(partial(_publish, task, args))
