"""Sign-in without passwords for experts and team leaders (graph/signin/links.py says the rules
and why): ask for a link by e-mail, as one role, open it for a session of that role.

``requestSignInLink`` answers the same for every address, and the mail is sent after the answer
(``deliver_mail_soon``) so that how long the answer takes does not tell either.
``redeemSignInLink`` gives the session token (api/auth.py ``issue_link_session``) for a link
used once within its minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.auth import issue_link_session
from api.mutations.registration import deliver_mail_soon, valid_email
from api.mutations.results import RateLimitedError, ValidationErrors, rate_limited
from api.viewer import Role
from graph.signin import links as sign_in
from graph.signin.links import LinkRole, Problem

if TYPE_CHECKING:
    from api.context import Context

strawberry.enum(
    Problem,
    name="SignInProblem",
    description="Why a sign-in link did not sign in: EXPIRED or USED (ask for a new link), "
    "REPLACED (a newer link was sent: use the latest mail), INVALID (not ours, cut short, or "
    "no longer anyone's, or the person may no longer sign in as the link's role).",
)
strawberry.enum(
    LinkRole,
    name="SignInRole",
    description="What a sign-in link signs in as: EXPERT (one's own expert profile and data) or "
    "TEAM_LEADER (the teams one leads as tổ trưởng, to report their activity).",
)


@strawberry.type(
    description="Asked for: if the address is that of someone who may sign in as the role asked "
    "for, a sign-in link is on its way to it (it replaces earlier links). The same answer for "
    "every address and role, registered or not."
)
class SignInLinkRequested:
    message: str = strawberry.field(description="For people.")
    link_minutes: int = strawberry.field(description="How long the link works once sent.")


@strawberry.interface(
    description="Signed in: a session as the role the link was asked for (scope: the person), "
    "to send as `Authorization: Bearer <token>`. Keep it for the browser tab only; it ends at "
    "`expiresAt` (then ask for a new link)."
)
class SignInSession:
    token: str = strawberry.field(description="The session's bearer token (a JWT).")
    role: LinkRole = strawberry.field(description="The role the session signs in as.")
    expires_at: dt.datetime = strawberry.field(description="When the session ends.")
    email_confirmed_now: bool = strawberry.field(
        description="The link also confirmed the e-mail address, which was not confirmed yet."
    )
    audit_seq: int = strawberry.field(description="The audit event of the sign-in.")


# One type per role, both a SignInSession: clients written when only experts signed in (asking
# for `... on ExpertSession`) keep working, and new ones may ask for the interface.
@strawberry.type(description="Signed in as an expert (role EXPERT).")
class ExpertSession(SignInSession):
    pass


@strawberry.type(description="Signed in as a team leader (role TEAM_LEADER).")
class TeamLeaderSession(SignInSession):
    pass


@strawberry.type(description="The link did not sign in; nothing changed.")
class InvalidSignInLink:
    problem: Problem = strawberry.field(description="Why, for the page to say what to do.")
    message: str = strawberry.field(description="For people.")


RequestSignInLinkResult = Annotated[
    SignInLinkRequested | RateLimitedError | ValidationErrors,
    strawberry.union("RequestSignInLinkResult", description="Asked for, or why not."),
]
RedeemSignInLinkResult = Annotated[
    ExpertSession | TeamLeaderSession | InvalidSignInLink,
    strawberry.union("RedeemSignInLinkResult", description="Signed in, or why not."),
]


@strawberry.type(description="Sign-in without passwords (experts and team leaders).")
class SignInMutations:
    @strawberry.mutation(
        description="Ask for a sign-in link by e-mail (experts and team leaders; no sign-in "
        "needed), to sign in as `role`: EXPERT (a registered expert) or TEAM_LEADER (the head "
        "of a running team). Answers the same whether or not the address may sign in as the "
        "role; limited per client address and per e-mail. The link works once, for "
        "CDS_SIGN_IN_LINK_MINUTES (15), and a newer link replaces it; opening it also confirms "
        "an address not confirmed yet."
    )
    async def request_sign_in_link(
        self,
        info: strawberry.Info[Context],
        email: Annotated[str, strawberry.argument(description="The address registered with.")],
        role: Annotated[
            LinkRole, strawberry.argument(description="What to sign in as (default EXPERT).")
        ] = LinkRole.EXPERT,
    ) -> RequestSignInLinkResult:
        ctx = info.context
        address = valid_email(email)
        if isinstance(address, ValidationErrors):
            return address
        limited = await ctx.graph.write(
            sign_in.request_link,
            address,
            ctx.client_address,
            ctx.settings,
            dt.datetime.now(dt.UTC),
            role,
            ctx.today,
        )
        if limited is not None:
            return rate_limited(limited, "sign-in requests")
        deliver_mail_soon(info)
        return SignInLinkRequested(
            message="If this address may sign in as the role asked for, a sign-in link is on "
            "its way; it replaces earlier links.",
            link_minutes=ctx.settings.sign_in_link_minutes,
        )

    @strawberry.mutation(
        description="Sign in with the token of a sign-in link: a session token, as the role the "
        "link was asked for (CDS_EXPERT_SESSION_MINUTES, 60), or why not."
    )
    async def redeem_sign_in_link(
        self,
        info: strawberry.Info[Context],
        token: Annotated[str, strawberry.argument(description="The token from the e-mail.")],
    ) -> RedeemSignInLinkResult:
        ctx = info.context
        outcome = await ctx.graph.write(sign_in.redeem, token, dt.datetime.now(dt.UTC), ctx.today)
        if isinstance(outcome, sign_in.Refused):
            return InvalidSignInLink(problem=outcome.problem, message=outcome.message)
        session, expires = issue_link_session(ctx.settings, outcome.person_id, Role(outcome.role))
        kind = ExpertSession if outcome.role == LinkRole.EXPERT else TeamLeaderSession
        return kind(
            token=session,
            role=outcome.role,
            expires_at=expires,
            email_confirmed_now=outcome.confirmed_now,
            audit_seq=outcome.seq,
        )
