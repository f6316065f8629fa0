"""Vietnamese name parts for the synthetic demo network: people, villages and organisations.

Weights follow the rough shares of family names in Vietnam (Nguyễn about 38%), so a demo of a
few thousand people holds the names people search for ("Nguyễn Văn An"). All strings are NFC
(checked by ``seed.demo.params`` before use); tone marks follow the old style the unit data uses
("Hòa", "Thủy").
"""

from __future__ import annotations

from typing import Final

# (family name, weight). Hoàng/Vũ are northern spellings of Huỳnh/Võ: see SOUTHERN_VARIANT.
FAMILY_NAMES: Final[tuple[tuple[str, float], ...]] = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 5.1),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Trịnh", 0.5),
    ("Đào", 0.5),
    ("Mai", 0.4),
    ("Cao", 0.4),
    ("Lương", 0.3),
)
# The south and centre write Hoàng as Huỳnh and Vũ as Võ.
SOUTHERN_VARIANT: Final[dict[str, str]] = {"Hoàng": "Huỳnh", "Vũ": "Võ"}

# Family names of the Thái, Tày, Nùng, H'Mông… peoples of the northern mountains, where villages
# are bản.
HIGHLAND_FAMILY_NAMES: Final[tuple[str, ...]] = (
    "Lò", "Lường", "Quàng", "Cầm", "Vì", "Sầm", "Nông", "Triệu", "Hà", "Mùa", "Sùng",
    "Giàng", "Vàng", "Thào", "Lầu", "Hoàng",
)  # fmt: skip

MALE_MIDDLE: Final[tuple[tuple[str, float], ...]] = (
    ("Văn", 30.0),
    ("Đức", 9.0),
    ("Minh", 9.0),
    ("Quang", 6.0),
    ("Hữu", 6.0),
    ("Công", 5.0),
    ("Thành", 5.0),
    ("Xuân", 4.0),
    ("Ngọc", 3.0),
    ("Trọng", 3.0),
    ("Tiến", 3.0),
    ("Hoàng", 3.0),
)
FEMALE_MIDDLE: Final[tuple[tuple[str, float], ...]] = (
    ("Thị", 35.0),
    ("Thu", 7.0),
    ("Ngọc", 7.0),
    ("Thanh", 6.0),
    ("Minh", 4.0),
    ("Phương", 4.0),
    ("Kim", 3.0),
    ("Hồng", 3.0),
    ("Mai", 3.0),
    ("Thúy", 3.0),
    ("Bích", 2.0),
)
MALE_GIVEN: Final[tuple[str, ...]] = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam",
    "Phong", "Quang", "Sơn", "Thắng", "Thành", "Tuấn", "Trung", "Việt", "Hoàng", "Đức", "Hiếu",
    "Kiên", "Lâm", "Tùng", "Vinh", "Toàn", "Phúc", "Hưng", "Tâm", "Đạt", "Duy",
)  # fmt: skip
FEMALE_GIVEN: Final[tuple[str, ...]] = (
    "Anh", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "Nga",
    "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Dung",
    "Hiền", "Oanh", "Giang", "Thơ", "Châu",
)  # fmt: skip

# Villages (thôn) are often named by position or by an auspicious word; unnamed ones are
# numbered ("Thôn 3"), as tổ dân phố almost always are.
THON_NAMES: Final[tuple[str, ...]] = (
    "Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Đoài", "Chợ", "Cầu", "Mới", "Đình",
    "Hòa Bình", "An Lạc", "Phú Mỹ", "Tân Lập", "Yên Thịnh", "Phú Xuân", "Đồng Tâm", "Thắng Lợi",
    "Quyết Tiến", "Tiền Phong", "Tân Phú", "An Hòa", "Phú Lộc", "Vĩnh An", "Hưng Long",
    "Bình Minh", "Đại Đồng", "Xuân Hòa", "Tân Thành", "Trung Hòa", "Phúc Lâm", "Cổ Loa",
    "Đồng Xuân", "Lạc Long", "Thanh Bình", "Hồng Phong", "Tân Tiến", "Minh Khai",
)  # fmt: skip
# Bản names of the northern mountains: a landscape word and a name.
BAN_FIRST: Final[tuple[str, ...]] = (
    "Nà", "Pá", "Huổi", "Co", "Phiêng", "Nậm", "Khuổi", "Lũng", "Hua", "Na", "Pác", "Tà",
)  # fmt: skip
BAN_SECOND: Final[tuple[str, ...]] = (
    "Lừa", "Khoang", "Mạ", "Hẹ", "Bon", "Sản", "Cang", "Lếch", "Pè", "Tòng", "Mòn", "Có",
    "Lay", "Pục", "Hày", "Xay", "Ban", "Nọi", "Cọ", "Mường",
)  # fmt: skip

# Provincial departments after the 2025 reorganisation (the Sở KH&CN is in the skeleton), then
# other provincial agencies; a province with more agencies than these gets regional centres.
PROVINCIAL_DEPARTMENTS: Final[tuple[str, ...]] = (
    "Văn phòng Ủy ban nhân dân", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Xây dựng",
    "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo", "Sở Ngoại vụ", "Thanh tra",
    "Trung tâm Phục vụ hành chính công", "Ban Quản lý các Khu công nghiệp",
    "Trung tâm Công nghệ thông tin và Truyền thông", "Bệnh viện Đa khoa",
    "Báo và Phát thanh, Truyền hình", "Trung tâm Kiểm soát bệnh tật", "Trung tâm Khuyến nông",
    "Chi cục Kiểm lâm",
    "Chi cục Thủy lợi", "Chi cục Thú y", "Quỹ Đầu tư phát triển", "Trung tâm Lưu trữ lịch sử",
    "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch", "Trung tâm Dịch vụ việc làm",
    "Trung tâm Công tác xã hội", "Bệnh viện Sản Nhi", "Bệnh viện Y học cổ truyền",
    "Trường Chính trị", "Trường Cao đẳng Y tế", "Ban Quản lý dự án đầu tư xây dựng",
)  # fmt: skip
# Agencies beyond the list: one per area, named after a commune ("Trung tâm Y tế khu vực X").
REGIONAL_AGENCIES: Final[tuple[str, ...]] = (
    "Trung tâm Y tế khu vực", "Trường Trung học phổ thông", "Chi cục Thuế khu vực",
    "Trung tâm Giáo dục nghề nghiệp", "Ban Quản lý rừng phòng hộ",
)  # fmt: skip
# (kind of school, fields) for universities and colleges.
SCHOOL_TYPES: Final[tuple[str, ...]] = ("Trường Đại học", "Trường Cao đẳng", "Học viện")
SCHOOL_FIELDS: Final[tuple[str, ...]] = (
    "Công nghệ", "Kinh tế", "Sư phạm", "Y Dược", "Nông Lâm", "Kỹ thuật", "Bách khoa",
    "Khoa học", "Công nghệ Thông tin", "Kinh tế - Kỹ thuật", "Văn hóa", "Luật", "Ngoại ngữ",
    "Giao thông Vận tải", "Xây dựng", "Tài chính", "Công nghiệp", "Hàng hải", "Thủy lợi",
    "Công nghệ Số", "Mở", "Điện lực", "Thương mại", "Nội vụ", "Văn hóa Nghệ thuật",
    "Thể dục Thể thao", "Kiến trúc", "Dầu khí", "Bưu chính Viễn thông", "Quốc tế",
)  # fmt: skip
INSTITUTE_TYPES: Final[tuple[str, ...]] = ("Viện", "Viện Nghiên cứu")
INSTITUTE_FIELDS: Final[tuple[str, ...]] = (
    "Công nghệ thông tin", "Khoa học dữ liệu", "Trí tuệ nhân tạo", "An toàn thông tin",
    "Kinh tế số", "Chiến lược chuyển đổi số", "Công nghệ viễn thông", "Điện tử và Tự động hóa",
    "Khoa học xã hội", "Phát triển bền vững", "Công nghệ sinh học", "Đổi mới sáng tạo",
    "Chính sách công", "Quản trị số", "Công nghệ môi trường", "Khoa học vật liệu",
    "Nông nghiệp công nghệ cao", "Y học số", "Giáo dục số", "Logistics",
)  # fmt: skip
ENTERPRISE_TYPES: Final[tuple[str, ...]] = (
    "Công ty Cổ phần Công nghệ", "Công ty TNHH Giải pháp Số", "Công ty TNHH Phần mềm",
    "Công ty Cổ phần Dịch vụ Số", "Công ty TNHH Công nghệ Thông tin",
    "Công ty Cổ phần Truyền thông Số", "Công ty Cổ phần Dữ liệu", "Công ty TNHH An ninh mạng",
    "Công ty Cổ phần Viễn thông", "Công ty TNHH Thương mại Điện tử",
)  # fmt: skip
# Brand names are two Sino-Vietnamese syllables ("An Phát", "Việt Tiến").
BRAND_FIRST: Final[tuple[str, ...]] = (
    "An", "Bảo", "Đại", "Đông", "Gia", "Hải", "Hoàng", "Hưng", "Hồng", "Kim", "Lạc", "Minh",
    "Nam", "Ngọc", "Nhật", "Phú", "Phúc", "Quang", "Sao", "Sơn", "Tân", "Thái", "Thành",
    "Thiên", "Thịnh", "Tiến", "Toàn", "Trí", "Trường", "Tuệ", "Vạn", "Việt", "Vĩnh", "Xuân",
    "Hòa", "Hà", "Long", "Mai", "Đức", "Tín",
)  # fmt: skip
BRAND_SECOND: Final[tuple[str, ...]] = (
    "Phát", "Thịnh", "Long", "Việt", "Tín", "Tâm", "Hưng", "An", "Thành", "Minh", "Quang",
    "Nam", "Sơn", "Hà", "Lộc", "Khang", "Tiến", "Đạt", "Lợi", "Phong", "Vinh", "Hải", "Anh",
    "Trí", "Bình", "Toàn", "Dương", "Nguyên", "Tài", "Thắng", "Hoa", "Hồng", "Kiệt", "Luân",
    "Mỹ", "Nhân", "Nghĩa", "Phương", "Thuận", "Uy",
)  # fmt: skip
ASSOCIATION_TYPES: Final[tuple[str, ...]] = (
    "Hội Tin học", "Hội Doanh nghiệp Công nghệ số", "Hiệp hội Phần mềm và Dịch vụ CNTT",
    "Câu lạc bộ Chuyển đổi số", "Hội Khoa học và Kỹ thuật", "Hội An toàn thông tin",
    "Hội Truyền thông số", "Hội Thương mại điện tử", "Hội Doanh nhân trẻ",
    "Hội Nông dân ứng dụng công nghệ số",
)  # fmt: skip

# Posts of focal points, by level.
COMMUNE_TITLES: Final[tuple[str, ...]] = (
    "Công chức Văn phòng - Thống kê", "Phó Chủ tịch Ủy ban nhân dân", "Công chức Văn hóa - Xã hội",
    "Chuyên viên Văn phòng HĐND và UBND",
)  # fmt: skip
AGENCY_TITLES: Final[tuple[str, ...]] = (
    "Phó Giám đốc", "Chánh Văn phòng", "Trưởng phòng Chuyển đổi số", "Chuyên viên",
    "Phó Chánh Văn phòng", "Phó Trưởng phòng",
)  # fmt: skip
