"""Two people acting at once, on either database, with the second one really waiting.

``race(first, second)`` runs ``first`` in a transaction of its own thread and keeps that
transaction open; then it starts ``second`` in another thread and lets the first commit
only once the second is waiting for it (PostgreSQL: the second's backend is seen waiting
for a lock; SQLite: the second is inside the busy wait of its ``BEGIN IMMEDIATE``, given
a moment to get there). So the loser always acts on what the winner committed — the case
where a row read in one statement with its joins, or a deferred SQLite transaction, went
wrong — and never merely after it.

Use it in tests marked ``django_db(transaction=True)``: the threads have connections of
their own, which see only committed rows.
"""

import threading
import time
from dataclasses import dataclass, field

from django.db import close_old_connections, connection, connections, transaction

WAIT = 10  # seconds: at most this long for the second to block, and for each to finish


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def result(self):
        if self.error is not None:
            raise self.error
        return self.value


def _waiting_backends():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _second_is_waiting(second):
    if connection.vendor == "postgresql":
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and not second.done.is_set():
            if _waiting_backends():
                return
            time.sleep(0.02)
        return
    second.done.wait(0.5)  # SQLite: the second is inside its busy wait by then


def race(first, second):
    """Run ``first()`` and ``second()`` as two people at once; returns both ``Outcome``s
    (``.result()`` returns the value or raises what the call raised)."""
    one, two = Outcome(), Outcome()
    holding, release = threading.Event(), threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                one.value = first()
                holding.set()
                release.wait(WAIT)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            one.error = exc
        finally:
            holding.set()
            one.done.set()
            connections.close_all()

    def run_second():
        try:
            close_old_connections()
            two.value = second()
        except BaseException as exc:  # noqa: BLE001
            two.error = exc
        finally:
            two.done.set()
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    threads[0].start()
    holding.wait(WAIT)
    threads[1].start()
    _second_is_waiting(two)
    release.set()
    for thread in threads:
        thread.join(WAIT * 2)
    assert one.done.is_set() and two.done.is_set(), "a racer never finished"
    return one, two
