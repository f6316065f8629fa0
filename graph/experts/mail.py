"""The experts' mails, rendered when the outbox delivers them (graph/core/outbox.py): one
renderer for every kind the experts' units of work enqueue, and the sign-in link's (graph/signin,
shared with team leaders)."""

from __future__ import annotations

from typing import Any

from graph.core.outbox import Mail
from graph.core.settings import Settings
from graph.experts import confirmation, nominations, registration, review
from graph.signin import links as sign_in


def render(kind: str, params: dict[str, Any], settings: Settings) -> Mail:
    if kind == confirmation.CONFIRM_EMAIL:
        return confirmation.render_confirmation(params, settings)
    if kind == nominations.INVITE:
        return nominations.render_invitation(params, settings)
    if kind == registration.REGISTRATION_ATTEMPT:
        return registration.render_attempt(params, settings)
    if kind == review.OUTCOME:
        return review.render_outcome(params, settings)
    if kind == sign_in.SIGN_IN:
        return sign_in.render_sign_in(params, settings)
    raise ValueError(f"unknown outbox message kind {kind!r}")
