"""Security headers on every HTTP response: a Content-Security-Policy (it matters on the pages,
and costs nothing on JSON and downloads), nosniff, no referrer, never framed.

The pages (the dashboard, GraphiQL) load only their own bundles from this app, so the policy
allows 'self' only: no other origin (but the single sign-on provider's for fetches, when the
dashboard signs in through one), no inline or evaluated script, never framed. Inline
*styles* are allowed: GraphiQL's components write `<style>` elements at run time. Images and
fonts may be data: URLs (GraphiQL's bundle inlines its fonts and icons; the pages' favicon).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(connect_src: Sequence[str] = ()) -> str:
    """The policy; ``connect_src``: other origins the pages may fetch from (the single sign-on
    provider's, for its discovery document and the code exchange: api/sso.py)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            " ".join(["connect-src 'self'", *connect_src]),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def security_headers(connect_src: Sequence[str] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(connect_src),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
    }


class SecurityHeaders:
    """Pure ASGI (WebSockets and streamed responses pass untouched)."""

    def __init__(self, app: ASGIApp, connect_src: Sequence[str] = ()) -> None:
        self.app = app
        self.headers = security_headers(connect_src)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
