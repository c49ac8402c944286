"""Shares made through the API, and direct looks into the database where only the database can tell."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from server.extensions import db
from server.sharing.models import Share


def make_share(owner, kind: str = "link", scopes=("summary",), expect: int = 201, **extra) -> dict:
    response = owner.post("/api/v1/shares", json={"kind": kind, "scopes": list(scopes), **extra})
    assert response.status_code == expect, response.text
    return response.json()


def follow(owner, caregiver, scopes=("summary",), **extra) -> dict:
    """A caregiver share from `owner`, accepted by `caregiver`; the share as created."""
    share = make_share(owner, "caregiver", scopes, **extra)
    response = caregiver.post("/api/v1/shares/accept", json={"token": share["token"]})
    assert response.status_code == 200, response.text
    return share


def set_expiry(app, share_id: str, when: datetime) -> None:
    with app.app_context():
        db.session.execute(sa.update(Share).where(Share.id == share_id).values(expires_at=when))
        db.session.commit()
