"""The session store: Django's database sessions, read by one prepared statement.

Every signed-in request reads its session before anything else; through the ORM that
read cost more than half a millisecond, most of it building and compiling the query.
``logistics.selectors.sql.session_data`` is the same statement written once. Everything
else (saving, expiry, cycling the key at sign-in, ``clearsessions``) is Django's."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from logistics.selectors import sql


class SessionStore(db.SessionStore):
    def load(self):
        key = self.session_key
        if not key:
            self._session_key = None
            return {}
        connection = connections[router.db_for_read(self.model)]
        data = sql.session_data(connection, key, timezone.now())
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)
