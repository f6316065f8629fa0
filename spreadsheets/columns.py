"""The one definition of the columns of each import kind: Vietnamese headers, the spellings we
also accept, whether a value is required, and an example. Templates, header matching and the
validation report are all derived from it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph.core.text import fold


class ImportKind(StrEnum):
    TEAMS = "teams"
    MEMBERS = "members"
    FOCAL_POINTS = "focal-points"
    ACTIVITIES = "activities"
    ORGANISATIONS = "organisations"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # what the code calls it
    header: str  # the Vietnamese header of the template
    note: str  # one line for the template's guide sheet
    example: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = True  # free text: a leading = + - @ is a formula-injection attempt

    def spellings(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


def header_key(value: str) -> str:
    """Headers match ignoring case, diacritics, spacing and punctuation ("Mã  xã" = "ma xa")."""
    return fold(value).replace(" ", "")


# Where a team is: a current commune code, or a legacy code, or names (with the district when
# the address is in the pre-2025 form). Shared by teams and members.
ADDRESS: tuple[Column, ...] = (
    Column(
        "commune_code",
        "Mã xã",
        "Mã đơn vị hành chính cấp xã hiện hành (từ 01/7/2025), 5 chữ số",
        "00004",
        aliases=("Mã xã mới", "Mã phường", "Mã xã/phường"),
        text=False,
    ),
    Column(
        "legacy_commune_code",
        "Mã xã cũ",
        "Mã xã trước 01/7/2025 (nếu danh sách lập theo địa giới cũ)",
        "",
        aliases=("Mã xã (cũ)",),
        text=False,
    ),
    Column(
        "commune",
        "Xã/Phường",
        "Tên xã, phường, thị trấn hoặc đặc khu",
        "Phường Ba Đình",
        aliases=("Xã", "Phường", "Xã, phường", "Tên xã"),
    ),
    Column(
        "district",
        "Quận/Huyện (cũ)",
        "Chỉ ghi khi địa chỉ theo địa giới trước 01/7/2025",
        "",
        aliases=("Quận/Huyện", "Huyện", "Quận"),
    ),
    Column(
        "province",
        "Tỉnh/Thành phố",
        "Tỉnh hoặc thành phố trực thuộc trung ương",
        "Thành phố Hà Nội",
        aliases=("Tỉnh", "Thành phố", "Tỉnh/TP"),
    ),
)

DECISION: tuple[Column, ...] = (
    Column(
        "decision_number",
        "Số quyết định",
        "Số quyết định, ví dụ 123/QĐ-UBND",
        "123/QĐ-UBND",
        required=True,
        aliases=("Số QĐ",),
    ),
    Column(
        "decision_date",
        "Ngày quyết định",
        "Ngày ký quyết định (dd/mm/yyyy)",
        "15/08/2025",
        required=True,
        aliases=("Ngày QĐ", "Ngày ban hành"),
        text=False,
    ),
    Column(
        "decision_issuer",
        "Cơ quan ban hành",
        "Bỏ trống: UBND xã (tổ) hoặc chính cơ quan (đầu mối)",
        "Ủy ban nhân dân Phường Ba Đình",
        aliases=("Cơ quan ra quyết định",),
    ),
)

PERSON: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", "Họ và tên đầy đủ", "Nguyễn Văn An", required=True),
    Column(
        "phone",
        "Số điện thoại",
        "Số di động; dùng để nhận ra cùng một người",
        "0912345678",
        required=True,
        aliases=("SĐT", "Điện thoại"),
        text=False,
    ),
)

TEAM_NAME = Column(
    "team_name",
    "Tên tổ",
    "Tên Tổ Công nghệ số cộng đồng",
    "Tổ CNSCĐ phường Ba Đình",
    required=True,
    aliases=("Tên Tổ CNSCĐ", "Tổ"),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.TEAMS: (
        *ADDRESS,
        TEAM_NAME,
        Column(
            "village",
            "Thôn/Bản/Tổ dân phố",
            "Chỉ ghi với tổ cấp thôn: Thôn …, Bản …, Tổ dân phố …",
            "",
            aliases=("Thôn", "Thôn/Tổ dân phố"),
        ),
        *DECISION,
        Column(
            "since",
            "Ngày thành lập",
            "Bỏ trống: ngày quyết định",
            "",
            aliases=("Ngày bắt đầu",),
            text=False,
        ),
    ),
    ImportKind.MEMBERS: (
        *ADDRESS,
        TEAM_NAME,
        *PERSON,
        Column(
            "role",
            "Vai trò",
            "Tổ trưởng, Tổ phó hoặc Thành viên (bỏ trống: Thành viên)",
            "Tổ trưởng",
            aliases=("Chức danh trong tổ",),
        ),
        Column(
            "home",
            "Thành phần",
            "Trưởng thôn, Đoàn Thanh niên, Công an xã, Hội đoàn thể, Doanh nghiệp viễn thông, "
            "Công chức xã, Người dân (bỏ trống: Người dân)",
            "Đoàn Thanh niên",
            aliases=("Đơn vị công tác", "Nơi công tác"),
        ),
        Column(
            "since",
            "Ngày tham gia",
            "Bỏ trống: ngày thành lập tổ",
            "",
            aliases=("Ngày vào tổ",),
            text=False,
        ),
    ),
    ImportKind.FOCAL_POINTS: (
        Column(
            "organisation",
            "Cơ quan/Đơn vị",
            "Tên cơ quan như trong danh mục",
            "Sở Khoa học và Công nghệ Hà Nội",
            required=True,
            aliases=("Cơ quan", "Đơn vị"),
        ),
        Column(
            "organisation_id",
            "Mã cơ quan",
            "Mã cơ quan trong danh mục (nếu có)",
            "",
            text=False,
        ),
        Column(
            "province",
            "Tỉnh/Thành phố",
            "Tỉnh hoặc thành phố của cơ quan",
            "Thành phố Hà Nội",
            aliases=("Tỉnh", "Thành phố", "Tỉnh/TP"),
        ),
        *PERSON,
        Column("title", "Chức vụ", "Chức vụ của người được cử", "Phó Giám đốc Sở"),
        Column(
            "mode",
            "Hình thức",
            "Chuyên trách hoặc Kiêm nhiệm",
            "Kiêm nhiệm",
            required=True,
            aliases=("Chuyên trách/Kiêm nhiệm",),
        ),
        *DECISION,
        Column(
            "since",
            "Ngày bắt đầu",
            "Bỏ trống: ngày quyết định",
            "",
            aliases=("Từ ngày",),
            text=False,
        ),
    ),
    ImportKind.ACTIVITIES: (
        *ADDRESS,
        TEAM_NAME,
        Column(
            "period_from",
            "Từ ngày",
            "Ngày hoạt động, hoặc ngày đầu của đợt (dd/mm/yyyy)",
            "02/09/2025",
            required=True,
            aliases=("Ngày", "Ngày hoạt động"),
            text=False,
        ),
        Column(
            "period_to",
            "Đến ngày",
            "Ngày cuối của đợt (bỏ trống: hoạt động trong một ngày)",
            "",
            text=False,
        ),
        Column(
            "kind",
            "Loại hoạt động",
            "Dịch vụ công trực tuyến, VNeID, Thanh toán không dùng tiền mặt, Thương mại điện tử, "
            "Kỹ năng số, Khác",
            "VNeID",
            required=True,
            aliases=("Hoạt động",),
        ),
        Column(
            "people_helped",
            "Số người được hỗ trợ",
            "Số người (số nguyên, 0 trở lên)",
            "40",
            required=True,
            aliases=("Số người",),
            text=False,
        ),
        Column(
            "households_helped",
            "Số hộ được hỗ trợ",
            "Số hộ gia đình (không quá số người)",
            "25",
            required=True,
            aliases=("Số hộ",),
            text=False,
        ),
        Column(
            "services",
            "Dịch vụ",
            "Các dịch vụ liên quan, ngăn cách bằng dấu ;",
            "Cấp tài khoản định danh mức 2; Đăng ký khai sinh",
        ),
        Column("place", "Địa điểm", "Thôn, bản, tổ dân phố hoặc nơi tổ chức", "Thôn Đông"),
        Column("note", "Ghi chú", "Ghi chú tự do", ""),
    ),
}

COLUMNS[ImportKind.ORGANISATIONS] = (
    Column(
        "kind",
        "Loại",
        "Bộ, Cục/Vụ, UBND tỉnh, Sở KH&CN, Sở/ngành, UBND huyện, Phòng VHTT, UBND xã, Bộ phận, "
        "Trường đại học, Viện, Doanh nghiệp, Hội",
        "Sở/ngành",
        required=True,
        aliases=("Loại cơ quan", "Loại hình"),
    ),
    Column(
        "name",
        "Tên cơ quan/đơn vị",
        "Tên đầy đủ, ví dụ Sở Giáo dục và Đào tạo Hà Nội",
        "Sở Giáo dục và Đào tạo Hà Nội",
        required=True,
        aliases=("Tên cơ quan", "Tên đơn vị", "Tên"),
    ),
    Column(
        "parent",
        "Cơ quan cấp trên",
        "Tên hoặc mã của cơ quan chủ quản (bắt buộc với Bộ phận); trong tệp: ở dòng trước",
        "",
        aliases=("Cơ quan chủ quản", "Trực thuộc"),
    ),
    Column(
        "place",
        "Mã đơn vị hành chính",
        "Mã tỉnh (2 chữ số), huyện cũ (3) hoặc xã (5) nơi cơ quan đặt trụ sở; VN: trung ương. "
        "Mã theo địa giới trước 01/7/2025 khi 'Đến ngày' trước ngày đó",
        "01",
        required=True,
        aliases=("Mã địa bàn", "Mã ĐVHC"),
        text=False,
    ),
    Column(
        "valid_from",
        "Từ ngày",
        "Ngày thành lập (dd/mm/yyyy); bỏ trống: giữ nguyên",
        "",
        aliases=("Ngày thành lập",),
        text=False,
    ),
    Column(
        "valid_to",
        "Đến ngày",
        "Ngày giải thể/sáp nhập, ngày cuối còn hoạt động (dd/mm/yyyy); bỏ trống: giữ nguyên",
        "",
        aliases=("Ngày giải thể",),
        text=False,
    ),
)

SHEET_TITLES: dict[ImportKind, str] = {
    ImportKind.TEAMS: "To CNSCD",
    ImportKind.MEMBERS: "Thanh vien",
    ImportKind.FOCAL_POINTS: "Dau moi CDS",
    ImportKind.ACTIVITIES: "Hoat dong",
    ImportKind.ORGANISATIONS: "Co quan",
}


def match_headers(kind: ImportKind, headers: list[str | None]) -> dict[str, int]:
    """Column key → position, for the headers that name a known column (first one wins)."""
    wanted = {header_key(s): c.key for c in COLUMNS[kind] for s in c.spellings()}
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        key = wanted.get(header_key(header)) if header else None
        if key is not None and key not in found:
            found[key] = position
    return found
