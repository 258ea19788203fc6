"""Alembic environment: migrations run on the connection tct hands in (see tct.db.run_migrations)."""

from alembic import context
from sqlmodel import SQLModel

import tct.models  # noqa: F401  (registers the tables)

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` run by hand against sqlalchemy.url
    from sqlalchemy import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    connection = engine.connect()

context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
