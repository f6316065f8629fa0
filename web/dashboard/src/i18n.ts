// The interface speaks Vietnamese; English is one click away. Unit and organisation names are
// data and stay as the registry holds them.

export type Lang = "vi" | "en";

const vi = {
  appTitle: "Mạng lưới chuyển đổi số",
  navMap: "Bản đồ độ phủ",
  navRankings: "Xếp hạng",
  navGaps: "Khoảng trống",
  navExperts: "Chuyên gia",
  navRegister: "Đăng ký chuyên gia",
  navGraphiql: "GraphiQL",
  language: "English",
  signIn: "Đăng nhập",
  signOut: "Đăng xuất",
  signInHelp: "Dán mã truy cập (token) do hệ thống định danh của cơ quan cấp.",
  token: "Mã truy cập",
  signedInAs: "Đang đăng nhập",
  anonymous: "Khách",
  date: "Ngày",
  metric: "Chỉ số",
  metricTeams: "Độ phủ Tổ CNSCĐ",
  metricFocal: "Độ phủ cán bộ đầu mối",
  metricExperts: "Chuyên gia / 100 xã",
  metricStaff: "Tỷ lệ cán bộ CĐS",
  national: "Toàn quốc",
  legacyNote: "Trước 01/07/2025: 63 tỉnh, có cấp huyện.",
  currentNote: "Từ 01/07/2025: 34 tỉnh, không có cấp huyện.",
  communes: "Xã, phường",
  communesWithTeam: "Có Tổ CNSCĐ",
  teams: "Tổ CNSCĐ",
  members: "Thành viên",
  agencies: "Cơ quan",
  agenciesWithFocal: "Có cán bộ đầu mối",
  experts: "Chuyên gia đã xác minh",
  noData: "Không có số liệu",
  noCoordinates: "Đơn vị chưa có toạ độ (không vẽ được trên bản đồ)",
  clickToDrill: "Bấm để xem cấp dưới",
  live: "Trực tiếp",
  connecting: "Đang kết nối…",
  offline: "Mất kết nối, đang thử lại",
  updatedAt: "Cập nhật lúc",
  loading: "Đang tải…",
  errorPrefix: "Lỗi",
  rank: "Hạng",
  province: "Tỉnh, thành phố",
  within: "Thuộc",
  value: "Giá trị",
  numerator: "Tử số",
  denominator: "Mẫu số",
  exportCsv: "Tải CSV",
  exportXlsx: "Tải Excel",
  gapKind: "Loại khoảng trống",
  gapCommuneWithoutTeam: "Xã chưa có Tổ CNSCĐ",
  gapOrgWithoutFocal: "Cơ quan chưa có cán bộ đầu mối",
  gapTeamBelowMin: "Tổ dưới số thành viên tối thiểu",
  gapReconfirm: "Quyết định cần xác nhận lại",
  gapProvinceNoExpert: "Tỉnh chưa có chuyên gia theo lĩnh vực",
  allProvinces: "Tất cả tỉnh",
  total: "Tổng số",
  unit: "Đơn vị hành chính",
  organisation: "Cơ quan",
  team: "Tổ",
  decision: "Quyết định",
  previous: "Trang trước",
  next: "Trang sau",
  more: "Xem thêm",
  page: "Trang",
  search: "Tìm kiếm",
  searchPlaceholder: "Tên, đơn vị công tác (có dấu hoặc không dấu)",
  expertise: "Lĩnh vực",
  allExpertise: "Mọi lĩnh vực",
  affiliation: "Đơn vị công tác",
  status: "Trạng thái",
  email: "Thư điện tử",
  phone: "Điện thoại",
  verifiedAt: "Xác minh ngày",
  contactHidden: "Thông tin liên hệ chỉ hiển thị cho điều phối viên có thẩm quyền.",
  back: "Quay lại",
  noResults: "Không có kết quả.",
  results: "kết quả",
  registerTitle: "Đăng ký tham gia Mạng lưới chuyên gia chuyển đổi số",
  registerIntro:
    "Dành cho chuyên gia tại trường đại học, viện nghiên cứu, doanh nghiệp, hiệp hội, trong và ngoài nước. Hồ sơ được điều phối viên xác minh trước khi công bố.",
  fullName: "Họ và tên",
  phoneOptional: "Điện thoại (không bắt buộc)",
  provinceNow: "Tỉnh, thành phố nơi đang làm việc",
  choose: "Chọn…",
  consentTitle: "Thông báo xử lý dữ liệu cá nhân",
  consentRequired: "(bắt buộc)",
  consentOptional: "(không bắt buộc)",
  submit: "Gửi đăng ký",
  submitting: "Đang gửi…",
  fixErrors: "Vui lòng sửa các lỗi dưới đây.",
  registered: "Đã nhận đăng ký. Vui lòng mở thư xác nhận; hồ sơ sẽ được điều phối viên xác minh.",
  required: "Bắt buộc nhập.",
  invalidEmail: "Địa chỉ thư điện tử không hợp lệ.",
  invalidPhone: "Số điện thoại Việt Nam không hợp lệ (ví dụ 0912 345 678).",
  pickExpertise: "Chọn ít nhất một lĩnh vực.",
  consentNeeded: "Cần đồng ý mục này để đăng ký.",
  tooLong: "Quá dài.",
  invalidCharacters: "Có ký tự không hợp lệ.",
  alreadyRegistered: "Đã có hồ sơ đăng ký với thông tin này.",
  rateLimited: "Quá nhiều lần thử; vui lòng thử lại sau {s} giây.",
  invalidValue: "Giá trị không hợp lệ.",
  outdatedNotice: "Thông báo đã thay đổi; vui lòng tải lại trang.",
} as const;

export type Key = keyof typeof vi;

const en: Record<Key, string> = {
  appTitle: "Digital transformation network",
  navMap: "Coverage map",
  navRankings: "Rankings",
  navGaps: "Gaps",
  navExperts: "Experts",
  navRegister: "Expert registration",
  navGraphiql: "GraphiQL",
  language: "Tiếng Việt",
  signIn: "Sign in",
  signOut: "Sign out",
  signInHelp: "Paste the access token your agency's identity provider issued.",
  token: "Access token",
  signedInAs: "Signed in",
  anonymous: "Guest",
  date: "Date",
  metric: "Metric",
  metricTeams: "Team coverage",
  metricFocal: "Focal point coverage",
  metricExperts: "Experts / 100 communes",
  metricStaff: "CĐS staff ratio",
  national: "National",
  legacyNote: "Before 2025-07-01: 63 provinces, with districts.",
  currentNote: "From 2025-07-01: 34 provinces, no district level.",
  communes: "Communes",
  communesWithTeam: "With a team",
  teams: "Teams",
  members: "Members",
  agencies: "Agencies",
  agenciesWithFocal: "With a focal point",
  experts: "Verified experts",
  noData: "No data",
  noCoordinates: "Units without coordinates (not drawn on the map)",
  clickToDrill: "Click to drill down",
  live: "Live",
  connecting: "Connecting…",
  offline: "Disconnected, retrying",
  updatedAt: "Updated at",
  loading: "Loading…",
  errorPrefix: "Error",
  rank: "Rank",
  province: "Province",
  within: "Within",
  value: "Value",
  numerator: "Numerator",
  denominator: "Denominator",
  exportCsv: "Download CSV",
  exportXlsx: "Download Excel",
  gapKind: "Gap",
  gapCommuneWithoutTeam: "Communes without a team",
  gapOrgWithoutFocal: "Organisations without a focal point",
  gapTeamBelowMin: "Teams below the minimum size",
  gapReconfirm: "Decisions to re-confirm",
  gapProvinceNoExpert: "Provinces without an expert in an area",
  allProvinces: "All provinces",
  total: "Total",
  unit: "Administrative unit",
  organisation: "Organisation",
  team: "Team",
  decision: "Decision",
  previous: "Previous",
  next: "Next",
  more: "Show more",
  page: "Page",
  search: "Search",
  searchPlaceholder: "Name or affiliation, with or without diacritics",
  expertise: "Expertise",
  allExpertise: "Any expertise",
  affiliation: "Affiliation",
  status: "Status",
  email: "E-mail",
  phone: "Phone",
  verifiedAt: "Verified on",
  contactHidden: "Contact details are shown only to coordinators whose scope covers this expert.",
  back: "Back",
  noResults: "No results.",
  results: "results",
  registerTitle: "Join the digital transformation expert network",
  registerIntro:
    "For experts at universities, institutes, enterprises and associations, in Vietnam and abroad. A coordinator verifies each profile before it is published.",
  fullName: "Full name",
  phoneOptional: "Phone (optional)",
  provinceNow: "Province you work in",
  choose: "Choose…",
  consentTitle: "Personal data notice",
  consentRequired: "(required)",
  consentOptional: "(optional)",
  submit: "Register",
  submitting: "Sending…",
  fixErrors: "Please correct the errors below.",
  registered: "Registration received. Please open the confirmation e-mail; a coordinator will verify your profile.",
  required: "Required.",
  invalidEmail: "Not a valid e-mail address.",
  invalidPhone: "Not a valid Vietnamese phone number (e.g. 0912 345 678).",
  pickExpertise: "Choose at least one area.",
  consentNeeded: "Needed to register.",
  tooLong: "Too long.",
  invalidCharacters: "Contains characters that are not allowed.",
  alreadyRegistered: "A registration with this already exists.",
  rateLimited: "Too many attempts; try again in {s} seconds.",
  invalidValue: "Not a valid value.",
  outdatedNotice: "The notice has changed; please reload the page.",
};

export const EXPERTISE_LABELS: Record<Lang, Record<string, string>> = {
  vi: {
    DIGITAL_GOVERNMENT: "Chính phủ số",
    DATA: "Dữ liệu",
    AI: "Trí tuệ nhân tạo",
    CYBERSECURITY: "An toàn thông tin",
    DIGITAL_ECONOMY: "Kinh tế số",
    DIGITAL_SOCIETY: "Xã hội số",
    INFRASTRUCTURE: "Hạ tầng số",
    E_COMMERCE: "Thương mại điện tử",
    FINTECH: "Công nghệ tài chính",
    EDUCATION: "Giáo dục",
    HEALTH: "Y tế",
  },
  en: {
    DIGITAL_GOVERNMENT: "Digital government",
    DATA: "Data",
    AI: "Artificial intelligence",
    CYBERSECURITY: "Cybersecurity",
    DIGITAL_ECONOMY: "Digital economy",
    DIGITAL_SOCIETY: "Digital society",
    INFRASTRUCTURE: "Digital infrastructure",
    E_COMMERCE: "E-commerce",
    FINTECH: "Fintech",
    EDUCATION: "Education",
    HEALTH: "Health",
  },
};

// Codes the API returns (ExpertStatus, Role), said in the page's language; unknown ones as is.
const CODE_LABELS: Record<Lang, Record<string, string>> = {
  vi: {
    PENDING: "Chờ xác minh",
    VERIFIED: "Đã xác minh",
    REJECTED: "Bị từ chối",
    WITHDRAWN: "Đã rút",
    NATIONAL_COORDINATOR: "Điều phối viên quốc gia",
    PROVINCIAL_COORDINATOR: "Điều phối viên cấp tỉnh",
    COMMUNE_OFFICER: "Cán bộ cấp xã",
    ORGANISATION_ADMIN: "Quản trị cơ quan",
    EXPERT: "Chuyên gia",
  },
  en: {
    PENDING: "Pending verification",
    VERIFIED: "Verified",
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn",
    NATIONAL_COORDINATOR: "National coordinator",
    PROVINCIAL_COORDINATOR: "Provincial coordinator",
    COMMUNE_OFFICER: "Commune officer",
    ORGANISATION_ADMIN: "Organisation admin",
    EXPERT: "Expert",
  },
};

export function codeLabel(code: string): string {
  return CODE_LABELS[current][code] ?? code;
}

const STORAGE_KEY = "cds.lang";

function initialLang(): Lang {
  // ?lang=en in the address, before or inside the #/page part, picks the language of a link.
  const inHash = location.hash.split("?")[1] ?? "";
  const asked = new URLSearchParams(location.search).get("lang") ?? new URLSearchParams(inHash).get("lang");
  if (asked === "en" || asked === "vi") return asked;
  return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "vi";
}

let current: Lang = initialLang();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = current === "vi" ? vi[key] : en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}

export function expertiseLabel(code: string): string {
  return EXPERTISE_LABELS[current][code] ?? code;
}

export function formatNumber(n: number): string {
  return n.toLocaleString(current === "vi" ? "vi-VN" : "en-GB");
}

export function formatPercent(ratio: number | null): string {
  if (ratio === null) return t("noData");
  return `${(ratio * 100).toLocaleString(current === "vi" ? "vi-VN" : "en-GB", {
    maximumFractionDigits: 1,
  })}%`;
}
