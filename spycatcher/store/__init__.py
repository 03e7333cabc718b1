"""Storage: SQLAlchemy 2 models, Alembic migrations, and the queries every front door shares.

SQLite (embedded, zero set-up) is the default; PostgreSQL is used when ``SPYCATCHER_DATABASE_URL``
says so. The schema is created and upgraded only through Alembic migrations, so a production
database and a fresh SQLite file always have the same shape.
"""

from spycatcher.store.db import Store, database_url

__all__ = ["Store", "database_url"]
