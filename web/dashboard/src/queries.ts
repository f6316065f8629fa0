// Every query the pages send, with the shapes they read back (written against schema.graphql).

import { gql } from "./gql";

export interface Figures {
  communes: number;
  communesWithTeam: number;
  teams: number;
  activeMembers: number;
  agencies: number;
  agenciesWithFocalPoint: number;
  verifiedExperts: number;
  teamCoverage: number | null;
  focalPointCoverage: number | null;
  cdsStaffRatio: number | null;
  peopleHelped: number;
  householdsHelped: number;
  activeTeams: number;
  activeTeamShare: number | null;
  requests: number;
  openRequests: number;
  answeredRequests: number;
  answeredShare: number | null;
  medianHoursToFirstAccept: number | null;
}

export interface UnitRef {
  code: string;
  name: string;
  level: "CENTRAL" | "PROVINCE" | "DISTRICT" | "COMMUNE";
  era: string;
  lat: number | null;
  lon: number | null;
}

export interface CoverageReport {
  scope: UnitRef & { parent: { code: string; name: string; level: string } | null };
  asOf: string;
  rows: { unit: UnitRef; figures: Figures }[];
  totals: Figures;
}

const FIGURES = `communes communesWithTeam teams activeMembers agencies agenciesWithFocalPoint
  verifiedExperts teamCoverage focalPointCoverage cdsStaffRatio peopleHelped householdsHelped
  activeTeams activeTeamShare requests openRequests answeredRequests answeredShare medianHoursToFirstAccept`;
const UNIT = "code name level era lat lon";

export async function coverage(scopeCode: string | null, asOf: string): Promise<CoverageReport> {
  const data = await gql<{ coverage: CoverageReport }>(
    `query Coverage($scopeCode: String, $asOf: Date) {
      coverage(scopeCode: $scopeCode, asOf: $asOf) {
        scope { ${UNIT} parent { code name level } }
        asOf
        rows { unit { ${UNIT} } figures { ${FIGURES} } }
        totals { ${FIGURES} }
      }
    }`,
    { scopeCode, asOf },
  );
  return data.coverage;
}

export interface ProvinceRank {
  rank: number;
  value: number | null;
  numerator: number;
  denominator: number;
  province: { code: string; name: string };
}

// Live on a date, or (edition given, asOf null) as a published edition froze it.
export async function ranking(metric: string, asOf: string | null, edition: string | null = null): Promise<ProvinceRank[]> {
  const data = await gql<{ provinceRanking: ProvinceRank[] }>(
    `query Ranking($metric: RankingMetric!, $asOf: Date, $edition: ID) {
      provinceRanking(metric: $metric, asOf: $asOf, edition: $edition) {
        rank value numerator denominator province { code name }
      }
    }`,
    { metric, asOf, edition },
  );
  return data.provinceRanking;
}

export interface Edition {
  id: string;
  periodEnd: string;
  publishedAt: string;
  reportUrl: string;
  pdfUrl: string;
}

export async function editions(): Promise<Edition[]> {
  const data = await gql<{ editions: Edition[] }>(
    `query Editions { editions { id periodEnd publishedAt reportUrl pdfUrl } }`,
  );
  return data.editions;
}

export type Indicator = "AGENCIES_WITH_FOCAL_POINT" | "COMMUNES_WITH_TEAM" | "CDS_STAFF_RATIO";

export interface TargetProgress {
  target: { id: string; indicator: Indicator; threshold: number; deadline: string; sourceDecision: string };
  values: (number | null)[];
  onTrack: boolean | null;
}

// What the targets page shows of the teams' activity (#17) at each period end.
export interface ActivityTotals {
  activeTeamShare: number | null;
  peopleHelped: number;
  householdsHelped: number;
}

export interface Series {
  points: { asOf: string; totals: ActivityTotals }[];
  targets: TargetProgress[];
}

// Quarter ends within [from, to] and the scope's targets along them (coverageSeries).
export interface OwnTarget {
  indicator: Indicator;
  threshold: number;
  scopeCode: string;
}

// The provinces' own targets (a province not listed follows the national one): today's, or
// those frozen with an edition.
export async function provinceTargets(edition: string | null): Promise<OwnTarget[]> {
  const data = await gql<{ provinceTargets: OwnTarget[] }>(
    `query ProvinceTargets($edition: ID) { provinceTargets(edition: $edition) { indicator threshold scopeCode } }`,
    { edition },
  );
  return data.provinceTargets;
}

export async function series(scopeCode: string | null, from: string, to: string): Promise<Series> {
  const data = await gql<{ coverageSeries: Series }>(
    `query Series($scopeCode: String, $from: Date!, $to: Date!) {
      coverageSeries(scopeCode: $scopeCode, from: $from, to: $to, step: QUARTER) {
        points { asOf totals { activeTeamShare peopleHelped householdsHelped } }
        targets { target { id indicator threshold deadline sourceDecision } values onTrack }
      }
    }`,
    { scopeCode, from, to },
  );
  return data.coverageSeries;
}

export interface Gap {
  kind: string;
  unit: { code: string; name: string; level: string; parent: { name: string; level: string } | null };
  organisation: { name: string } | null;
  team: { id: string; name: string } | null;
  decision: { number: string; date: string | null } | null;
  activeMembers: number | null;
  minimumSize: number | null;
  lastActivity: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface GapPage {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: Gap[];
}

export async function gaps(
  kind: string,
  scopeCode: string | null,
  expertise: string | null,
  asOf: string,
  after: string | null,
  first: number,
): Promise<GapPage> {
  const data = await gql<{ coverageGaps: GapPage }>(
    `query Gaps($kind: GapKind!, $scopeCode: String, $expertise: String, $asOf: Date,
                $after: String, $first: Int) {
      coverageGaps(kind: $kind, scopeCode: $scopeCode, expertise: $expertise, asOf: $asOf,
                   after: $after, first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          kind
          unit { code name level parent { name level } }
          organisation { name }
          team { id name }
          decision { number date }
          activeMembers minimumSize lastActivity
        }
      }
    }`,
    { kind, scopeCode, expertise, asOf, after, first },
  );
  return data.coverageGaps;
}

export interface ExpertSummary {
  id: string;
  fullName: string;
  expertise: string[];
  affiliation: string;
  status: string;
  province: { code: string; name: string } | null;
  abroad: boolean;
  country: { code: string; nameVi: string; nameEn: string };
}

export interface ExpertDetail extends ExpertSummary {
  verifiedAt: string | null;
  email: string | null;
  phone: string | null;
  organisation: { name: string } | null;
}

export interface ExpertPage {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: ExpertSummary[];
}

export interface ExpertQuery {
  text: string | null;
  expertise: string | null;
  provinceCode: string | null;
  // A country code, or "abroad" for every country but Vietnam.
  country: string | null;
}

export async function experts(q: ExpertQuery, after: string | null, first: number): Promise<ExpertPage> {
  const filter = {
    text: q.text || null,
    provinceCode: q.provinceCode || null,
    expertiseAny: q.expertise ? [q.expertise] : null,
    abroad: q.country === "abroad" ? true : null,
    countryCodes: q.country && q.country !== "abroad" ? [q.country] : null,
  };
  const data = await gql<{ experts: ExpertPage }>(
    `query Experts($filter: ExpertFilter, $after: String, $first: Int) {
      experts(filter: $filter, after: $after, first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id fullName expertise affiliation status province { code name } abroad country { code nameVi nameEn } }
      }
    }`,
    { filter, after, first },
  );
  return data.experts;
}

export async function expert(id: string): Promise<ExpertDetail | null> {
  const data = await gql<{ node: ExpertDetail | null }>(
    `query Expert($id: ID!) {
      node(id: $id) {
        ... on Expert {
          id fullName expertise affiliation status verifiedAt email phone
          province { code name } organisation { name } abroad country { code nameVi nameEn }
        }
      }
    }`,
    { id },
  );
  return data.node && "fullName" in data.node ? data.node : null;
}

export interface Province {
  code: string;
  name: string;
}

// The provinces valid on a date, for pickers: the rows of the national coverage report, which
// the server caches per change, so this costs nothing extra.
export async function provinces(asOf: string): Promise<Province[]> {
  const data = await gql<{ coverage: { rows: { unit: Province }[] } }>(
    `query Provinces($asOf: Date) { coverage(asOf: $asOf) { rows { unit { code name } } } }`,
    { asOf },
  );
  return data.coverage.rows.map((r) => r.unit).sort((a, b) => a.name.localeCompare(b.name, "vi"));
}

export interface Notice {
  version: string;
  text: string;
  purposes: { purpose: string; required: boolean; text: string }[];
}

export async function notice(language: string): Promise<Notice> {
  const data = await gql<{ privacyNotice: Notice }>(
    `query Notice($language: Language) {
      privacyNotice(language: $language) { version text purposes { purpose required text } }
    }`,
    { language: language.toUpperCase() },
  );
  return data.privacyNotice;
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export type RegisterResult =
  | { __typename: "RegisterExpertSuccess"; expertId: string; status: string; message: string }
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "AlreadyRegistered"; field: string; message: string }
  | { __typename: "RateLimitedError"; retryAfterSeconds: number; message: string }
  | { __typename: "NotFoundError"; kind: string; key: string; message: string };

export async function registerExpert(input: Record<string, unknown>): Promise<RegisterResult> {
  const data = await gql<{ registerExpert: RegisterResult }>(
    `mutation Register($input: RegisterExpertInput!) {
      registerExpert(input: $input) {
        __typename
        ... on RegisterExpertSuccess { expertId status message }
        ... on ValidationErrors { errors { field code message } }
        ... on AlreadyRegistered { field message }
        ... on RateLimitedError { retryAfterSeconds message }
        ... on NotFoundError { kind key message }
      }
    }`,
    { input },
  );
  return data.registerExpert;
}

export type ConfirmResult =
  | { __typename: "EmailConfirmed"; alreadyConfirmed: boolean }
  | { __typename: "InvalidConfirmation"; problem: "EXPIRED" | "REPLACED" | "INVALID"; message: string }
  | { __typename: "RateLimitedError"; retryAfterSeconds: number }
  | { __typename: "ValidationErrors"; errors: FieldError[] };

const CONFIRM_FIELDS = `__typename
  ... on EmailConfirmed { alreadyConfirmed }
  ... on InvalidConfirmation { problem message }`;

export async function confirmEmail(token: string): Promise<ConfirmResult> {
  const data = await gql<{ r: ConfirmResult }>(
    `mutation Confirm($token: String!) { r: confirmEmail(token: $token) { ${CONFIRM_FIELDS} } }`,
    { token },
  );
  return data.r;
}

export async function confirmEmailWithCode(email: string, code: string): Promise<ConfirmResult> {
  const data = await gql<{ r: ConfirmResult }>(
    `mutation ConfirmCode($email: String!, $code: String!) {
      r: confirmEmailWithCode(email: $email, code: $code) {
        ${CONFIRM_FIELDS}
        ... on RateLimitedError { retryAfterSeconds }
        ... on ValidationErrors { errors { field code message } }
      }
    }`,
    { email, code },
  );
  return data.r;
}

export type ResendResult =
  | { __typename: "ConfirmationMailRequested"; message: string }
  | { __typename: "RateLimitedError"; retryAfterSeconds: number }
  | { __typename: "ValidationErrors"; errors: FieldError[] };

export async function resendConfirmation(email: string): Promise<ResendResult> {
  const data = await gql<{ r: ResendResult }>(
    `mutation Resend($email: String!) {
      r: resendConfirmation(email: $email) {
        __typename
        ... on ConfirmationMailRequested { message }
        ... on RateLimitedError { retryAfterSeconds }
        ... on ValidationErrors { errors { field code message } }
      }
    }`,
    { email },
  );
  return data.r;
}

export interface PendingExpert extends ExpertSummary {
  submittedAt: string | null;
  emailState: "CONFIRMED" | "UNCONFIRMED" | "NOT_REQUIRED" | null;
  // A verified profile back for review: the public fields its expert changed since.
  changedSinceVerification: string[] | null;
  changedSinceVerificationAt: string | null;
  possibleDuplicates: { id: string; fullName: string; status: string; affiliation: string }[] | null;
  nominations: { nominatedAt: string; nominatorRole: string; reason: string | null; expertise: string[] }[] | null;
}

export interface PendingPage {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: PendingExpert[];
}

export interface PendingCount {
  pending: number;
  province: Province | null;
}

// One request for the page: the queue (its duplicates and nominations batched by the server's
// DataLoaders) and the counts per province.
export async function pendingExperts(
  provinceCode: string | null,
  after: string | null,
  first: number,
): Promise<{ page: PendingPage; counts: PendingCount[] }> {
  const data = await gql<{ pendingExperts: PendingPage; pendingCountsByProvince: PendingCount[] }>(
    `query Pending($provinceCode: String, $after: String, $first: Int) {
      pendingExperts(provinceCode: $provinceCode, after: $after, first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id fullName expertise affiliation status submittedAt emailState
          changedSinceVerification changedSinceVerificationAt
          province { code name } abroad country { code nameVi nameEn }
          possibleDuplicates { id fullName status affiliation }
          nominations { nominatedAt nominatorRole reason expertise }
        }
      }
      pendingCountsByProvince { pending province { code name } }
    }`,
    { provinceCode, after, first },
  );
  return { page: data.pendingExperts, counts: data.pendingCountsByProvince };
}

export type ReviewResult =
  | { __typename: "ExpertReviewPayload"; expert: { id: string; status: string } }
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "NotAuthorized"; message: string }
  | { __typename: "NotFoundError"; message: string }
  | { __typename: "ConflictError"; message: string };

const REVIEW_FIELDS = `__typename
  ... on ExpertReviewPayload { expert { id status } }
  ... on ValidationErrors { errors { field code message } }
  ... on NotAuthorized { message }
  ... on NotFoundError { message }
  ... on ConflictError { message }`;

export type BulkResult =
  | { __typename: "BulkReviewPayload"; reviewed: number; items: { id: string; result: ReviewResult }[] }
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "NotAuthorized"; message: string };

const BULK_FIELDS = `__typename
  ... on BulkReviewPayload { reviewed items { id result { ${REVIEW_FIELDS} } } }
  ... on ValidationErrors { errors { field code message } }
  ... on NotAuthorized { message }`;

// Verify or reject: one id or many, always through the bulk mutations, so a page has one code
// path and every profile its own typed result.
export async function review(ids: string[], reason: string | null): Promise<BulkResult> {
  const data = await gql<{ r: BulkResult }>(
    reason === null
      ? `mutation Verify($ids: [ID!]!) { r: verifyExperts(ids: $ids) { ${BULK_FIELDS} } }`
      : `mutation Reject($ids: [ID!]!, $reason: String!) {
          r: rejectExperts(ids: $ids, reason: $reason) { ${BULK_FIELDS} } }`,
    reason === null ? { ids } : { ids, reason },
  );
  return data.r;
}

// --- Expert sign-in and one's own data (the #/sign-in and #/me pages) ---------------------------

export type SignInRequestResult =
  | { __typename: "SignInLinkRequested"; message: string; linkMinutes: number }
  | { __typename: "RateLimitedError"; retryAfterSeconds: number }
  | { __typename: "ValidationErrors"; errors: FieldError[] };

// What a sign-in link signs in as: the request names it (graph/signin/links.py says why).
export type SignInRole = "EXPERT" | "TEAM_LEADER";

export async function requestSignInLink(email: string, role: SignInRole = "EXPERT"): Promise<SignInRequestResult> {
  const data = await gql<{ r: SignInRequestResult }>(
    `mutation RequestSignIn($email: String!, $role: SignInRole!) {
      r: requestSignInLink(email: $email, role: $role) {
        __typename
        ... on SignInLinkRequested { message linkMinutes }
        ... on RateLimitedError { retryAfterSeconds }
        ... on ValidationErrors { errors { field code message } }
      }
    }`,
    { email, role },
  );
  return data.r;
}

export type SignInProblem = "EXPIRED" | "USED" | "REPLACED" | "INVALID";

export type RedeemResult =
  | {
      __typename: "ExpertSession" | "TeamLeaderSession";
      token: string;
      role: SignInRole;
      expiresAt: string;
      emailConfirmedNow: boolean;
    }
  | { __typename: "InvalidSignInLink"; problem: SignInProblem; message: string };

export async function redeemSignInLink(token: string): Promise<RedeemResult> {
  const data = await gql<{ r: RedeemResult }>(
    `mutation Redeem($token: String!) {
      r: redeemSignInLink(token: $token) {
        __typename
        ... on SignInSession { token role expiresAt emailConfirmedNow }
        ... on InvalidSignInLink { problem message }
      }
    }`,
    { token },
  );
  return data.r;
}

export interface MyProfile {
  id: string;
  fullName: string;
  email: string | null;
  phone: string | null;
  emailConfirmedAt: string | null;
  erasedAt: string | null;
  consentedPurposes: string[];
  expert: {
    id: string;
    status: string;
    expertise: string[];
    affiliation: string;
    verifiedAt: string | null;
    province: { code: string; name: string } | null;
    country: { code: string };
    changedSinceVerification: string[] | null;
  } | null;
}

const ME_FIELDS = `id fullName email phone emailConfirmedAt erasedAt consentedPurposes
  expert { id status expertise affiliation verifiedAt province { code name } country { code } changedSinceVerification }`;

export async function me(): Promise<MyProfile | null> {
  const data = await gql<{ me: MyProfile | null }>(`query Me { me { ${ME_FIELDS} } }`);
  return data.me;
}

export type UpdateResult =
  | { __typename: "MyProfilePayload"; me: MyProfile }
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "NotAuthorized"; message: string }
  | { __typename: "NotFoundError"; message: string }
  | { __typename: "ConflictError"; field: string; message: string };

export async function updateMyProfile(input: Record<string, unknown>): Promise<UpdateResult> {
  const data = await gql<{ r: UpdateResult }>(
    `mutation UpdateMe($input: UpdateMyProfileInput!) {
      r: updateMyProfile(input: $input) {
        __typename
        ... on MyProfilePayload { me { ${ME_FIELDS} } }
        ... on ValidationErrors { errors { field code message } }
        ... on NotAuthorized { message }
        ... on NotFoundError { message }
        ... on ConflictError { field message }
      }
    }`,
    { input },
  );
  return data.r;
}

export type WithdrawResult =
  | { __typename: "ConsentWithdrawn"; purposes: string[]; erased: boolean }
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "NotAuthorized" | "NotFoundError" | "ConflictError"; message: string };

export async function withdrawConsent(purpose: string): Promise<WithdrawResult> {
  const data = await gql<{ r: WithdrawResult }>(
    `mutation Withdraw($purpose: ConsentPurpose) {
      r: withdrawConsent(purpose: $purpose) {
        __typename
        ... on ConsentWithdrawn { purposes erased }
        ... on ValidationErrors { errors { field code message } }
        ... on NotAuthorized { message }
        ... on NotFoundError { message }
        ... on ConflictError { message }
      }
    }`,
    { purpose },
  );
  return data.r;
}

export async function exportMyData(): Promise<unknown> {
  const data = await gql<{ exportMyData: unknown }>(`query Export { exportMyData }`);
  return data.exportMyData;
}

export interface DataRead {
  at: string;
  role: string;
  scope: string | null;
  fields: string[];
}

export interface DataReadPage {
  totalCount: number;
  pageInfo: PageInfo;
  nodes: DataRead[];
}

export async function myDataReads(after: string | null, first: number): Promise<DataReadPage | null> {
  const data = await gql<{ myDataReads: DataReadPage | null }>(
    `query Reads($after: String, $first: Int) {
      myDataReads(after: $after, first: $first) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { at role scope fields }
      }
    }`,
    { after, first },
  );
  return data.myDataReads;
}

// --- a team's activity (#17) -------------------------------------------------------------------

export interface ActivityReportRow {
  id: string;
  periodFrom: string;
  periodTo: string;
  kind: string;
  peopleHelped: number;
  householdsHelped: number;
  place: string | null;
  synthetic: boolean;
}

export interface TeamActivity {
  id: string;
  name: string;
  since: string;
  communes: { code: string; name: string; era: string }[];
  activityReports: { totalCount: number; nodes: ActivityReportRow[] };
}

const REPORT_FIELDS = "id periodFrom periodTo kind peopleHelped householdsHelped place synthetic";

export async function teamActivity(id: string): Promise<TeamActivity | null> {
  const data = await gql<{ node: TeamActivity | null }>(
    `query TeamActivity($id: ID!) {
      node(id: $id) {
        ... on CommunityTechTeam {
          id name since communes { code name era }
          activityReports(first: 200) { totalCount nodes { ${REPORT_FIELDS} } }
        }
      }
    }`,
    { id },
  );
  return data.node && "name" in data.node ? data.node : null;
}

export interface ReportActivityInput {
  teamId: string;
  periodFrom: string;
  periodTo: string | null;
  kind: string;
  peopleHelped: number;
  householdsHelped: number;
  services: string[];
  place: string | null;
  note: string | null;
}

export type ReportActivityResult =
  | { __typename: "ActivityReportPayload"; report: ActivityReportRow }
  | { __typename: "ValidationErrors"; errors: { field: string; code: string; message: string }[] }
  | { __typename: "NotAuthorized" | "NotFoundError" | "ConflictError"; message: string; field?: string };

export async function reportActivity(input: ReportActivityInput): Promise<ReportActivityResult> {
  const data = await gql<{ reportActivity: ReportActivityResult }>(
    `mutation ReportActivity($input: ReportActivityInput!) {
      reportActivity(input: $input) {
        __typename
        ... on ActivityReportPayload { report { ${REPORT_FIELDS} } }
        ... on ValidationErrors { errors { field code message } }
        ... on NotAuthorized { message }
        ... on NotFoundError { message }
        ... on ConflictError { field message }
      }
    }`,
    { input },
  );
  return data.reportActivity;
}

export interface LedTeam {
  id: string;
  name: string;
  villageName: string | null;
  communes: { code: string; name: string }[];
}

// A signed-in team leader's teams (myTeams), one request.
export async function myTeams(): Promise<LedTeam[]> {
  const data = await gql<{ myTeams: LedTeam[] }>(
    `query MyTeams { myTeams { id name villageName communes { code name } } }`,
  );
  return data.myTeams;
}
