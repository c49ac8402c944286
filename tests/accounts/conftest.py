"""Fixtures for the accounts tests."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _migrated_database(app):
    """make_app() serves the session database without migrating it; the session app migrates it first."""
    return app
