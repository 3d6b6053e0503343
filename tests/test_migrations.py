"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""


import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.conftest import settings_for


def test_upgrade_from_empty_matches_the_models_and_downgrades(empty_database, tmp_path):
    app = create_app(settings_for(empty_database, tmp_path))
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert {"users", "outbound_emails"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
