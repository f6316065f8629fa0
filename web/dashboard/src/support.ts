// Support requests and expert matching (#15) through the API: the requests a coordinator may
// see, one request with its engagements, the ranked candidates with the parts of their score,
// an expert's own proposals, the province's figures, and the mutations of a request's life.

import { gql } from "./gql";

export interface Wanted {
  code: string;
  weight: number;
  mustHave: boolean;
}

export interface EngagementRow {
  id: string;
  status: string;
  proposedAt: string;
  acceptedAt: string | null;
  completedAt: string | null;
  declineReason: string | null;
  feedbackScore: number | null;
  feedbackText: string | null;
  expert: { id: string; fullName: string } | null;
}

export interface RequestRow {
  id: string;
  topic: string;
  status: string;
  urgency: string;
  periodStart: string;
  periodEnd: string;
  createdAt: string;
  unit: { code: string; name: string } | null;
  organisation: { name: string } | null;
}

export interface RequestDetail extends RequestRow {
  description: string;
  wanted: Wanted[];
  remoteAllowed: boolean;
  expertsWanted: number;
  cancelReason: string | null;
  engagements: EngagementRow[];
}

export interface Candidate {
  score: number;
  proximity: string;
  distanceKm: number | null;
  openEngagements: number;
  matchedAreas: string[];
  parts: { expertise: number; proximity: number; availability: number; load: number; feedback: number };
  expert: { id: string; fullName: string; affiliation: string | null } | null;
}

export interface MyEngagement {
  id: string;
  status: string;
  proposedAt: string;
  declineReason: string | null;
  request: { topic: string; description: string; periodStart: string; periodEnd: string; status: string; unit: { name: string } | null } | null;
}

export interface Figures {
  requests: number;
  open: number;
  answered: number;
  answeredShare: number | null;
  medianHoursToFirstAccept: number | null;
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export type Result<P extends string, T> =
  | ({ __typename: P } & T)
  | { __typename: "ValidationErrors"; errors: FieldError[] }
  | { __typename: "NotAuthorized" | "NotFoundError" | "ConflictError"; message: string; field?: string };

const FAILURES = `
  ... on ValidationErrors { errors { field code message } }
  ... on NotAuthorized { message }
  ... on NotFoundError { message }
  ... on ConflictError { field message }`;

const ROW = "id topic status urgency periodStart periodEnd createdAt unit { code name } organisation { name }";
const ENGAGEMENT = "id status proposedAt acceptedAt completedAt declineReason feedbackScore feedbackText expert { id fullName }";

export async function supportRequests(statuses: string[] | null, urgencies: string[] | null): Promise<{ totalCount: number; nodes: RequestRow[] }> {
  const data = await gql<{ supportRequests: { totalCount: number; nodes: RequestRow[] } }>(
    `query SupportRequests($f: SupportRequestFilter) { supportRequests(filter: $f, first: 100) { totalCount nodes { ${ROW} } } }`,
    { f: { statuses, urgencies } },
  );
  return data.supportRequests;
}

export async function supportRequest(id: string): Promise<RequestDetail | null> {
  const data = await gql<{ supportRequest: RequestDetail | null }>(
    `query SupportRequest($id: ID!) { supportRequest(id: $id) {
      ${ROW} description wanted { code weight mustHave } remoteAllowed expertsWanted cancelReason
      engagements { ${ENGAGEMENT} } } }`,
    { id },
  );
  return data.supportRequest;
}

export async function matchExperts(requestId: string, first = 10): Promise<Candidate[]> {
  const data = await gql<{ matchExperts: Candidate[] }>(
    `query MatchExperts($id: ID!, $first: Int!) { matchExperts(requestId: $id, first: $first) {
      score proximity distanceKm openEngagements matchedAreas
      parts { expertise proximity availability load feedback }
      expert { id fullName affiliation } } }`,
    { id: requestId, first },
  );
  return data.matchExperts;
}

export async function myEngagements(): Promise<MyEngagement[]> {
  const data = await gql<{ myEngagements: MyEngagement[] }>(
    `query MyEngagements { myEngagements { id status proposedAt declineReason
      request { topic description periodStart periodEnd status unit { name } } } }`,
  );
  return data.myEngagements;
}

// The figures of one province with its name (the national ones, no name, when it is not listed).
export async function supportFigures(province: string | null): Promise<{ figures: Figures; name: string | null }> {
  const data = await gql<{ supportFigures: { national: Figures; provinces: { province: { code: string; name: string }; figures: Figures }[] } }>(
    `query SupportFigures { supportFigures {
      national { requests open answered answeredShare medianHoursToFirstAccept }
      provinces { province { code name } figures { requests open answered answeredShare medianHoursToFirstAccept } } } }`,
  );
  const mine = data.supportFigures.provinces.find((p) => p.province.code === province);
  return mine ? { figures: mine.figures, name: mine.province.name } : { figures: data.supportFigures.national, name: null };
}

// --- an expert's unavailable periods (My profile) ---

export interface UnavailablePeriod {
  id: string;
  start: string;
  end: string;
}

type UnavailabilityResult = Result<"UnavailabilityPayload", { id: string }>;

export async function myUnavailability(): Promise<UnavailablePeriod[]> {
  const data = await gql<{ myUnavailability: UnavailablePeriod[] }>(`query MyUnavailability { myUnavailability { id start end } }`);
  return data.myUnavailability;
}

export async function declareUnavailability(expertId: string, start: string, end: string): Promise<UnavailabilityResult> {
  const data = await gql<{ r: UnavailabilityResult }>(
    `mutation DeclareUnavailability($e: ID!, $start: Date!, $end: Date!) {
      r: declareUnavailability(expertId: $e, start: $start, end: $end) {
      __typename ... on UnavailabilityPayload { id } ${FAILURES} } }`,
    { e: expertId, start, end },
  );
  return data.r;
}

export async function removeUnavailability(id: string): Promise<UnavailabilityResult> {
  const data = await gql<{ r: UnavailabilityResult }>(
    `mutation RemoveUnavailability($id: ID!) { r: removeUnavailability(id: $id) {
      __typename ... on UnavailabilityPayload { id } ${FAILURES} } }`,
    { id },
  );
  return data.r;
}

export async function organisationsOf(unitCode: string): Promise<{ id: string; name: string }[]> {
  const data = await gql<{ administrativeUnit: { organisations: { nodes: { id: string; name: string }[] } } | null }>(
    `query Organisations($code: String!) { administrativeUnit(code: $code) { organisations(first: 500) { nodes { id name } } } }`,
    { code: unitCode },
  );
  return data.administrativeUnit?.organisations.nodes ?? [];
}

export interface NewRequest {
  organisationId: string;
  unitCode: string;
  topic: string;
  description: string | null;
  wanted: Wanted[];
  remoteAllowed: boolean;
  periodStart: string;
  periodEnd: string;
  expertsWanted: number;
  urgency: string;
  contactEmail: string | null;
}

type RequestResult = Result<"SupportRequestPayload", { request: { id: string; status: string } }>;
type EngagementResult = Result<"EngagementPayload", { engagement: { id: string; status: string } }>;

export async function createSupportRequest(input: NewRequest): Promise<RequestResult> {
  const data = await gql<{ r: RequestResult }>(
    `mutation CreateSupportRequest($i: CreateSupportRequestInput!) { r: createSupportRequest(input: $i) {
      __typename ... on SupportRequestPayload { request { id status } } ${FAILURES} } }`,
    { i: input },
  );
  return data.r;
}

export async function proposeExpert(requestId: string, expertId: string): Promise<EngagementResult> {
  const data = await gql<{ r: EngagementResult }>(
    `mutation ProposeExpert($r: ID!, $e: ID!) { r: proposeExpert(requestId: $r, expertId: $e) {
      __typename ... on EngagementPayload { engagement { id status } } ${FAILURES} } }`,
    { r: requestId, e: expertId },
  );
  return data.r;
}

export async function respondToProposal(engagementId: string, accept: boolean, reason: string | null): Promise<EngagementResult> {
  const data = await gql<{ r: EngagementResult }>(
    `mutation RespondToProposal($g: ID!, $accept: Boolean!, $why: String) {
      r: respondToProposal(engagementId: $g, accept: $accept, reason: $why) {
      __typename ... on EngagementPayload { engagement { id status } } ${FAILURES} } }`,
    { g: engagementId, accept, why: reason },
  );
  return data.r;
}

export async function completeEngagement(engagementId: string, score: number, text: string | null): Promise<EngagementResult> {
  const data = await gql<{ r: EngagementResult }>(
    `mutation CompleteEngagement($g: ID!, $score: Int!, $text: String) {
      r: completeEngagement(engagementId: $g, score: $score, text: $text) {
      __typename ... on EngagementPayload { engagement { id status } } ${FAILURES} } }`,
    { g: engagementId, score, text },
  );
  return data.r;
}

export async function closeSupportRequest(requestId: string): Promise<RequestResult> {
  const data = await gql<{ r: RequestResult }>(
    `mutation CloseSupportRequest($r: ID!) { r: closeSupportRequest(requestId: $r) {
      __typename ... on SupportRequestPayload { request { id status } } ${FAILURES} } }`,
    { r: requestId },
  );
  return data.r;
}

export async function cancelSupportRequest(requestId: string, reason: string): Promise<RequestResult> {
  const data = await gql<{ r: RequestResult }>(
    `mutation CancelSupportRequest($r: ID!, $why: String!) { r: cancelSupportRequest(requestId: $r, reason: $why) {
      __typename ... on SupportRequestPayload { request { id status } } ${FAILURES} } }`,
    { r: requestId, why: reason },
  );
  return data.r;
}

// What a failed mutation says, for a status line.
export function failureText(r: { __typename: string; message?: string; errors?: FieldError[] }): string {
  if (r.errors) return r.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  return r.message ?? r.__typename;
}
