"""Django's SQLite backend plus the upkeep SQLite asks of connections: ``PRAGMA optimize`` on close.

Without statistics (``sqlite_stat1``) SQLite's planner guesses, and for a scoped list such as the
inbox it guesses wrong: it walks every assignment in a state instead of looking up the few the
person's permission rows name. ``PRAGMA optimize`` when a connection closes is what SQLite
recommends: it runs a bounded ``ANALYZE`` (``analysis_limit``, set in ``sqlite_tuned``) on the
tables this connection's queries showed would benefit, and otherwise returns in microseconds.
"""
from django.db import DatabaseError
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self):
        if self.connection is not None and not self.in_atomic_block:
            try:
                self.connection.execute("PRAGMA optimize")
            except (DatabaseError, base.Database.Error):
                pass  # statistics are an optimisation; closing must not fail for them
        super()._close()
