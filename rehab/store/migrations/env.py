"""Alembic environment: runs on the engine rehab already opened (no alembic.ini)."""

from alembic import context
from sqlmodel import SQLModel

import rehab.store.models
import rehab.store.observations
import rehab.store.preferences  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    is_sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection if is_sqlite else None
    if raw is not None:
        # Batch migrations copy tables; foreign keys must be off while they do. Run on the
        # raw connection: the pragma does nothing inside a transaction.
        raw.execute("PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if raw is not None:
        raw.execute("PRAGMA foreign_keys = ON")
