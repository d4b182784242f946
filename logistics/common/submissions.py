"""One record per form: the one-time key a creating form carries.

A form that creates a record carries a random key (``submission_key``, a hidden field
made when the form is shown). The key is stored with the record, unique per author, so
the same form sent twice — a double tap, a resend after a lost answer, two copies in
flight at once — makes one record, while two different forms never merge, whatever they
say. It needs no session and no lock: the database's unique constraint decides.
"""

from django.db import IntegrityError, transaction


def create_once(existing, submission_key, create):
    """``(create(), True)``, or ``(record, False)`` when ``existing`` (the author's rows)
    already holds the record made with ``submission_key``.

    ``create`` runs in a transaction of its own (a savepoint inside another); when the
    same key is inserted at the same moment by another request, the unique constraint
    refuses the second insert, ``create``'s work is rolled back (the caller deletes its
    stored files on the exception) and the first request's record is returned."""
    if submission_key is None:
        return create(), True
    if (record := existing.filter(submission_key=submission_key).first()) is not None:
        return record, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        record = existing.filter(submission_key=submission_key).first()
        if record is None:
            raise
        return record, False
