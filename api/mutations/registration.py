"""Self-registration of experts (anonymous), e-mail confirmation by link or code, a new
confirmation mail, and the privacy notice."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.mutations.results import (
    NotFoundError,
    RateLimitedError,
    ValidationErrors,
    failure,
    rate_limited,
)
from api.relay import to_global_id
from api.types.enums import ExpertStatus
from graph.core import outbox
from graph.core.errors import NotFound, ValidationFailed
from graph.core.ratelimit import Limited
from graph.core.validation import Checker
from graph.experts import confirmation, registration
from graph.experts.confirmation import ConfirmationFailed, Problem
from graph.experts.registration import (
    NOTICE_TEXT,
    NOTICE_VERSION,
    PURPOSE_TEXT,
    REQUIRED_PURPOSES,
    ConsentPurpose,
    NoticeLanguage,
)
from graph.experts.registration import (
    AlreadyRegistered as AlreadyRegisteredError,
)
from graph.support import mail

if TYPE_CHECKING:
    from api.context import Context

log = logging.getLogger("cds.api")

strawberry.enum(ConsentPurpose, description="What the registrant agrees their data is used for.")
strawberry.enum(NoticeLanguage, name="Language", description="VI: tiếng Việt; EN: English.")
strawberry.enum(
    Problem,
    name="ConfirmationProblem",
    description="Why a confirmation link or code did not confirm: EXPIRED (ask for a new mail), "
    "REPLACED (a newer mail was sent: use its link or code), INVALID (not ours, altered, or a "
    "code that does not match the address).",
)


@strawberry.type(description="One purpose of the privacy notice.")
class NoticePurpose:
    purpose: ConsentPurpose = strawberry.field(description="The purpose.")
    required: bool = strawberry.field(description="Registration needs it.")
    text: str = strawberry.field(description="What it means, for people.")


@strawberry.type(
    description="The notice shown before collecting personal data (Law 91/2025/QH15): its "
    "version must be sent back with the consent."
)
class PrivacyNotice:
    version: str = strawberry.field(description="Send it back as `noticeVersion`.")
    text: str = strawberry.field(description="The notice.")
    purposes: list[NoticePurpose] = strawberry.field(
        description="Purposes to answer one by one; none is pre-ticked."
    )


@strawberry.input(description="The registrant's answer for one purpose; there is no default.")
class ConsentInput:
    purpose: ConsentPurpose = strawberry.field(description="The purpose.")
    granted: bool = strawberry.field(description="Ticked by the registrant.")


@strawberry.input(description="A self-registration to the expert network.")
class RegisterExpertInput:
    full_name: str = strawberry.field(description="Full name; stored NFC, trimmed.")
    email: str = strawberry.field(description="E-mail; confirmed by a link sent to it.")
    phone: str | None = strawberry.field(
        default=None, description="Optional Vietnamese phone; stored +84 E.164."
    )
    expertise: list[str] = strawberry.field(
        description="Codes of areas or sub-areas (expertiseAreas); an unknown code is refused "
        "naming it. The old enum values (e.g. INFRASTRUCTURE) are still accepted."
    )
    affiliation: str = strawberry.field(
        description="University, institute, enterprise or association."
    )
    country_code: str = strawberry.field(
        default="VN", description="Country of residence, ISO 3166-1 alpha-2 (countries)."
    )
    province_code: str | None = strawberry.field(
        default=None,
        description="Current province the expert is in: required in Vietnam. Abroad, optional: a "
        "province they want to help (shown, but they are reviewed nationally).",
    )
    notice_version: str = strawberry.field(description="Version of the notice consented to.")
    consents: list[ConsentInput] = strawberry.field(description="One answer per purpose.")


@strawberry.type(
    description="Received: check your e-mail. A new profile is PENDING until the e-mail is "
    "confirmed and a coordinator verifies it; when the e-mail or phone is someone's already, "
    "nothing is created and they are told by mail instead (the answer is the same, so that "
    "it tells nobody who is registered)."
)
class RegisterExpertSuccess:
    expert_id: strawberry.ID = strawberry.field(
        description="The new profile's global ID (readable with node() once verified)."
    )
    status: ExpertStatus = strawberry.field(description="PENDING.")
    message: str = strawberry.field(description="What happens next.")


@strawberry.type(
    description="Deprecated, no longer returned: registerExpert answers a registration of an "
    "e-mail or phone that is already someone's like any other (RegisterExpertSuccess), "
    "creates nothing and mails the owner, so that nobody learns who is registered. Kept so "
    "that clients selecting it still validate."
)
class AlreadyRegistered:
    field: str = strawberry.field(description="'email' or 'phone'.")
    message: str = strawberry.field(description="For people.")


@strawberry.type(
    description="The e-mail address is confirmed; a coordinator of the expert's province now "
    "reviews the profile."
)
class EmailConfirmed:
    audit_seq: int | None = strawberry.field(
        description="Audit event; null when it was already confirmed."
    )
    already_confirmed: bool = strawberry.field(
        description="The link or code had been used before: nothing changed."
    )


@strawberry.type(description="The link or code did not confirm; nothing changed.")
class InvalidConfirmation:
    problem: Problem = strawberry.field(description="Why, for the page to say what to do.")
    message: str = strawberry.field(description="For people.")


@strawberry.type(
    description="Asked for: if a registration with this address waits for confirmation, a new "
    "mail is on its way (its link and code replace the earlier ones). The same answer for every "
    "address, registered or not."
)
class ConfirmationMailRequested:
    message: str = strawberry.field(description="For people.")


RegisterExpertResult = Annotated[
    RegisterExpertSuccess | ValidationErrors | AlreadyRegistered | RateLimitedError | NotFoundError,
    strawberry.union("RegisterExpertResult", description="Registered, or why not."),
]
ConfirmEmailResult = Annotated[
    EmailConfirmed | InvalidConfirmation,
    strawberry.union("ConfirmEmailResult", description="Confirmed, or why not."),
]
ConfirmEmailCodeResult = Annotated[
    EmailConfirmed | InvalidConfirmation | RateLimitedError | ValidationErrors,
    strawberry.union("ConfirmEmailCodeResult", description="Confirmed, or why not."),
]
ResendConfirmationResult = Annotated[
    ConfirmationMailRequested | RateLimitedError | ValidationErrors,
    strawberry.union("ResendConfirmationResult", description="Asked for, or why not."),
]


def valid_email(value: str) -> str | ValidationErrors:
    """The address as registration keeps it (trimmed, lower-cased), or why it is not one."""
    check = Checker()
    email = check.email("email", value)
    try:
        check.done()
    except ValidationFailed as error:
        failed = failure(error)
        assert isinstance(failed, ValidationErrors)
        return failed
    assert email is not None  # required: check.done() raised otherwise
    return email


async def deliver_mail(info: strawberry.Info[Context]) -> None:
    """After commit: the message is already safe in the outbox; a failure here only delays it
    (it stays PENDING and the next delivery sends it)."""
    try:
        await outbox.deliver(info.context.graph, info.context.settings, mail.render)
    except Exception:
        log.exception("request %s: outbox delivery deferred", info.context.request_id)


# Deliveries started by deliver_mail_soon, kept referenced until they end (the event loop holds
# tasks only weakly).
_delivering: set[asyncio.Task[None]] = set()


def deliver_mail_soon(info: strawberry.Info[Context]) -> None:
    """Deliver after the answer, not before it: for the public forms whose answer must not
    take longer when a mail was queued (an SMTP round trip would tell who is registered)."""
    task = asyncio.get_running_loop().create_task(deliver_mail(info))
    _delivering.add(task)
    task.add_done_callback(_delivering.discard)


def _received(expert_id: str) -> RegisterExpertSuccess:
    return RegisterExpertSuccess(
        expert_id=to_global_id("Expert", expert_id),
        status=ExpertStatus.PENDING,
        message="Check your e-mail and open the confirmation link.",
    )


@strawberry.type(description="Self-registration.")
class RegistrationMutations:
    @strawberry.mutation(
        description="Register yourself as an expert (no sign-in). Rate-limited per address and "
        "per e-mail (look-alikes count as one); sends a confirmation link. An e-mail (or one "
        "that looks the same) or phone already registered gets the same answer, and its owner "
        "a mail."
    )
    async def register_expert(
        self, info: strawberry.Info[Context], input: RegisterExpertInput
    ) -> RegisterExpertResult:
        ctx = info.context
        try:
            reg = registration.check_registration(
                registration.Registration(
                    input.full_name,
                    input.email,
                    input.phone,
                    tuple(input.expertise),
                    input.affiliation,
                    input.province_code,
                    input.notice_version,
                    tuple((c.purpose, c.granted) for c in input.consents),
                    ctx.client_address,
                    input.country_code,
                )
            )
            outcome = await ctx.graph.write(
                registration.register_expert, reg, ctx.settings, dt.datetime.now(dt.UTC)
            )
        except AlreadyRegisteredError:
            # Lost a race with a registration of the same address or phone: the same answer as
            # every other registration (no owner notice in this rare case: the transaction that
            # would have written it rolled back).
            return _received(reg.expert_id)
        except (ValidationFailed, NotFound) as error:
            failed = failure(error)
            assert isinstance(failed, ValidationErrors | NotFoundError)
            return failed
        if isinstance(outcome, Limited):
            return rate_limited(outcome, "registrations")
        # The caller is the public: whether this e-mail or phone is someone's already is not
        # theirs to learn. A duplicate creates nothing and mails the owner; the answer is the
        # one a registration gets, with an id no profile has (node() of an unverified
        # profile is null for the public either way).
        await deliver_mail(info)
        return _received(reg.expert_id)

    @strawberry.mutation(
        description="Confirm an e-mail address with the token of the link sent to it."
    )
    async def confirm_email(
        self,
        info: strawberry.Info[Context],
        token: Annotated[str, strawberry.argument(description="The token from the e-mail.")],
    ) -> ConfirmEmailResult:
        try:
            done = await info.context.graph.write(
                confirmation.confirm_link, token, info.context.settings
            )
        except ConfirmationFailed as error:
            return InvalidConfirmation(problem=error.problem, message=str(error))
        return EmailConfirmed(audit_seq=done.seq, already_confirmed=done.already)

    @strawberry.mutation(
        description="Confirm an e-mail address with the short code printed in the mail (for "
        "whoever cannot open the link where they read it). Wrong codes are limited per address "
        "and per e-mail (CDS_EMAIL_CODE_ATTEMPTS an hour); a wrong code and an address that is "
        "not registered get the same answer."
    )
    async def confirm_email_with_code(
        self,
        info: strawberry.Info[Context],
        email: Annotated[str, strawberry.argument(description="The address the mail went to.")],
        code: Annotated[
            str, strawberry.argument(description="The code, with or without its hyphen.")
        ],
    ) -> ConfirmEmailCodeResult:
        ctx = info.context
        address = valid_email(email)
        if isinstance(address, ValidationErrors):
            return address
        outcome = await ctx.graph.write(
            confirmation.confirm_code,
            address,
            code,
            ctx.client_address,
            ctx.settings,
            dt.datetime.now(dt.UTC),
        )
        if isinstance(outcome, Limited):
            return rate_limited(outcome, "confirmation attempts")
        if isinstance(outcome, confirmation.Rejected):
            return InvalidConfirmation(problem=outcome.problem, message=outcome.message)
        return EmailConfirmed(audit_seq=outcome.seq, already_confirmed=outcome.already)

    @strawberry.mutation(
        description="Send a new confirmation mail to a registration waiting for it. Answers the "
        "same whether or not the address is registered; limited per client address and per "
        "e-mail like registration."
    )
    async def resend_confirmation(
        self,
        info: strawberry.Info[Context],
        email: Annotated[str, strawberry.argument(description="The address registered with.")],
    ) -> ResendConfirmationResult:
        ctx = info.context
        address = valid_email(email)
        if isinstance(address, ValidationErrors):
            return address
        limited = await ctx.graph.write(
            confirmation.resend_confirmation,
            address,
            ctx.client_address,
            ctx.settings,
            dt.datetime.now(dt.UTC),
        )
        if limited is not None:
            return rate_limited(limited, "requests")
        deliver_mail_soon(info)  # after the answer: its timing must not tell who is waiting
        return ConfirmationMailRequested(
            message="If a registration with this address is waiting for confirmation, a new "
            "mail is on its way; its link and code replace the earlier ones."
        )


@strawberry.type(description="The privacy notice.")
class RegistrationQueries:
    @strawberry.field(description="The notice and purposes to show before registering.")
    def privacy_notice(
        self,
        language: Annotated[
            NoticeLanguage,
            strawberry.argument(description="The notice's language; one version covers both."),
        ] = NoticeLanguage.VI,
    ) -> PrivacyNotice:
        texts = PURPOSE_TEXT[language]
        return PrivacyNotice(
            version=NOTICE_VERSION,
            text=NOTICE_TEXT[language],
            purposes=[
                NoticePurpose(purpose=p, required=p in REQUIRED_PURPOSES, text=texts[p])
                for p in ConsentPurpose
            ],
        )
