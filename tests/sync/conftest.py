"""Fixtures for sync tests: a fresh PostgreSQL database per test for the hub.

PostgreSQL is required, not optional: the hub runs on it in the cloud, so its tests must not pass
quietly without it. Point NADI_TEST_PG_ADMIN at a server's maintenance database to use another.
"""

from __future__ import annotations

import os
import secrets

import pytest

PG_ADMIN_URL = os.environ.get("NADI_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_url():
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"nadi_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        admin, problem = None, str(exc).strip().splitlines()[0]
    if admin is None:
        pytest.fail(f"PostgreSQL is needed for the hub tests and is not reachable at {PG_ADMIN_URL} ({problem}); "
                    "start it, or set NADI_TEST_PG_ADMIN to a server's maintenance database", pytrace=False)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a pooled connection the test forgot to dispose must not leave the database behind.
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
