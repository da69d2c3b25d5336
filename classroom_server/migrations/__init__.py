"""Alembic migration scripts (run through ``classroom_server.db.upgrade``)."""
