"""The support requests' mails (#15), and the one renderer the outbox delivers with: these
kinds here, every other kind by the experts' renderer (graph/experts/mail.py)."""

from __future__ import annotations

from typing import Any

from graph.core.outbox import Mail
from graph.core.settings import Settings
from graph.experts import mail as experts_mail
from graph.support.engagements import ANSWER, PROPOSAL


def _proposal(to: str, params: dict[str, Any], settings: Settings) -> Mail:
    """To the expert: what they are proposed for, and where to answer (their profile page,
    after signing in: the mail carries no link that acts by itself)."""
    name, topic = params.get("name") or "", params["topic"]
    period = f"{params['periodStart']} – {params['periodEnd']}"
    vi = [
        f"Kính gửi {name},",
        "",
        f"Bạn được đề xuất hỗ trợ yêu cầu «{topic}» ({period}).",
        "Đăng nhập rồi mở «Hồ sơ của tôi» để nhận lời hoặc từ chối:",
        settings.sign_in_url,
    ]
    en = [
        f"Dear {name},",
        "",
        f"You are proposed to help with the request “{topic}” ({period}).",
        "Sign in, then open “My profile” to accept or decline:",
        settings.sign_in_url,
    ]
    subject = "Đề xuất hỗ trợ / Support proposal — mạng lưới chuyên gia CĐS"
    return Mail(to, subject, "\n".join([*vi, "", "---", "", *en]))


def _answer(to: str, params: dict[str, Any]) -> Mail:
    """To the requester: one expert's answer (no name: the request's page shows who)."""
    topic = params["topic"]
    if params["accepted"]:
        vi = [f"Một chuyên gia đã nhận lời hỗ trợ yêu cầu «{topic}»."]
        en = [f"An expert accepted to help with the request “{topic}”."]
    else:
        reason = params.get("reason") or ""
        vi = [f"Một chuyên gia đã từ chối yêu cầu «{topic}».", f"Lý do: {reason}"]
        en = [f"An expert declined the request “{topic}”.", f"Reason: {reason}"]
    subject = "Trả lời đề xuất / Answer to a proposal — mạng lưới chuyên gia CĐS"
    return Mail(to, subject, "\n".join([*vi, "", "---", "", *en]))


def render(kind: str, params: dict[str, Any], settings: Settings) -> Mail:
    to = params.get("to", "")
    if kind == PROPOSAL:
        return _proposal(to, params, settings)
    if kind == ANSWER:
        return _answer(to, params)
    return experts_mail.render(kind, params, settings)
