"""Test helper: bearer headers for a role and scope, signed as `cds token` signs them."""

from __future__ import annotations

from api.auth import issue_local_token
from api.viewer import Role
from graph.core.settings import Settings


def bearer(
    settings: Settings, role: Role, scope: str | None = None, subject: str | None = None
) -> dict[str, str]:
    token = issue_local_token(
        settings, role, subject=subject or f"test-{role.value.lower()}", scope=scope
    )
    return {"Authorization": f"Bearer {token}"}
