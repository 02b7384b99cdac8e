"""The migrations build exactly the schema the models describe: a model change without its
migration (or the reverse) would otherwise surface only as a failed write on a clinic's PC."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.storage.models import Base


def test_migrated_database_matches_the_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The FTS5 search table and its shadow tables live outside the models on purpose.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("patient_search"))]
    assert diff == []
