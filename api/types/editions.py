"""Published editions (graph/reports/editions.py): what a quarter's public report froze."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph.reports.editions import EditionRecord


@strawberry.type(
    description="A published edition (kỳ báo cáo): coverage and rankings frozen at a period end "
    "by `cds snapshot`; never changed afterwards. The same period end has a new edition when "
    "the data changed between two snapshots."
)
class Edition:
    id: strawberry.ID = strawberry.field(
        description="`periodEnd-vDataVersion`, e.g. 2026-09-30-v1234."
    )
    period_end: dt.date = strawberry.field(description="The date the figures are for.")
    published_at: dt.datetime = strawberry.field(description="When it was published.")
    data_version: int = strawberry.field(
        description="The graph's change counter the figures were computed at."
    )
    report_url: str = strawberry.field(
        description="The public printable report (HTML, Vietnamese), relative to the API."
    )
    pdf_url: str = strawberry.field(description="The same report as PDF.")

    @classmethod
    def from_record(cls, e: EditionRecord) -> Edition:
        url = f"/reports/editions/{e.id}"
        return cls(
            id=strawberry.ID(e.id),
            period_end=e.period_end,
            published_at=e.published_at,
            data_version=e.data_version,
            report_url=url,
            pdf_url=url + ".pdf",
        )
