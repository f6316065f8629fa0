"""Where an expert lives: a country (ISO 3166-1 alpha-2, default VN) and a province.

An expert in Vietnam names the current province they are in (required): it places them, so
that province's coordinators review them. An expert abroad is placed at the national level
(``LOCATED_IN`` the central unit): the national coordinator reviews them and no provincial
coordinator reads their personal data. They may still name a province they want to help (their
home province, often): it is kept as ``SUPPORTS``, shown in the directory and found by its
province filter, but it places nothing, because it says where they want to help, not where
they are, and the privacy notice promises their contact fields to the coordinators who review
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from graph.core.countries import VIETNAM, country
from graph.core.db import Tx, run_single
from graph.core.errors import NotFound
from graph.core.expert_province import keep_province_key
from graph.core.model import CENTRAL_UNIT_KEY
from graph.core.validation import Checker, Code


@dataclass(frozen=True, slots=True)
class Residence:
    country: str
    place_key: str  # what the profile is LOCATED_IN: its province, or the central unit
    home_key: str | None  # abroad: the province named to help (SUPPORTS)

    @property
    def province_key(self) -> str | None:
        """The province shown: where they are, or abroad the one they want to help."""
        return self.place_key if self.country == VIETNAM else self.home_key


def check_residence(
    check: Checker, country_code: str | None, province_code: str | None
) -> tuple[str, str | None]:
    """The country (default VN) and province code as typed, cleaned; mistakes go to ``check``
    under ``countryCode`` and ``provinceCode``."""
    code = (country_code or VIETNAM).strip().upper()
    found = country(code)
    check.require(
        found is not None, "countryCode", Code.NOT_IN_VOCABULARY, "not an ISO 3166-1 alpha-2 code"
    )
    province = (province_code or "").strip() or None
    check.require(
        province is not None or code != VIETNAM,
        "provinceCode",
        Code.REQUIRED,
        "required for an expert living in Vietnam",
    )
    return code, province


async def resolve(tx: Tx, country_code: str, province_code: str | None) -> Residence:
    """The units a checked residence links to; NotFound for a province code that is not a
    current province."""
    province_key = None
    if province_code is not None:
        found = await run_single(
            tx,
            "MATCH (u:AdministrativeUnit {era: 'CURRENT', level: 'PROVINCE', code: $code}) "
            "RETURN u.key AS key",
            code=province_code,
        )
        if found is None:
            raise NotFound("current province", province_code)
        province_key = found["key"]
    if country_code == VIETNAM:
        assert province_key is not None  # check_residence required it
        return Residence(country_code, province_key, None)
    return Residence(country_code, CENTRAL_UNIT_KEY, province_key)


# Links the profile bound as ``e`` to its residence ($country, $placeKey, $homeKey), replacing
# what it had, and keeps its ``provinceKey`` (graph/core/expert_province.py); ends with ``WITH e``.
LINK_RESIDENCE: LiteralString = (
    """
WITH e
OPTIONAL MATCH (e)-[old:LOCATED_IN|SUPPORTS]->()
DELETE old
WITH DISTINCT e
MATCH (place:AdministrativeUnit {key: $placeKey})
CREATE (e)-[:LOCATED_IN]->(place)
SET e.country = $country
WITH e, place
OPTIONAL MATCH (home:AdministrativeUnit {key: $homeKey})
FOREACH (_ IN CASE WHEN home IS NULL THEN [] ELSE [1] END | CREATE (e)-[:SUPPORTS]->(home))
"""
    + keep_province_key("place", "home")
    + """WITH e
"""
)


def residence_params(r: Residence) -> dict[str, str | None]:
    return {"country": r.country, "placeKey": r.place_key, "homeKey": r.home_key}
