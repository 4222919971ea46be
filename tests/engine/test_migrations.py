"""The migrations build exactly the schema the models describe, from one head: a model change
without its migration (an index only in the model, say) fails here instead of in production."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

import engine.models  # noqa: F401  (registers every table)
from cli.migrate import alembic_config, upgrade
from engine.models.base import Base


def test_migrations_have_a_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}; add a merge revision"


def test_migrated_schema_matches_the_models(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == [], "\n".join(str(d) for d in differences)
