"""Alembic environment: always given an open connection by core.storage.migrate."""

from alembic import context

from core.storage.models import Base

# Tables made by hand in migrations, not by models: the FTS5 search index and its shadow tables.
_UNMODELLED_PREFIXES = ("patient_search",)


def _include(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name and name.startswith(_UNMODELLED_PREFIXES))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_object=_include,
)
with context.begin_transaction():
    context.run_migrations()
