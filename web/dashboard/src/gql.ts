// The pages talk to the registry only through its public GraphQL API, as any other dashboard
// would: POST /graphql for queries and mutations, graphql-transport-ws for live changes.

import { createClient, type Client } from "graphql-ws";

const ENDPOINT = "/graphql";
const TOKEN_KEY = "cds.token";

export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Response<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

// The token lives for the browser tab only: a shared intranet machine forgets it when closed.
export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface Claims {
  role?: string;
  scope?: string;
  sub?: string;
  exp?: number;
}

// For display only (who am I signed in as); the server verifies the token on every request.
export function claims(): Claims | null {
  const raw = token();
  if (!raw) return null;
  try {
    const payload = raw.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const body = JSON.parse(json) as Record<string, unknown>;
    const str = (k: string): string | undefined =>
      typeof body[k] === "string" ? (body[k] as string) : undefined;
    const exp = typeof body.exp === "number" ? body.exp : undefined;
    return { role: str("cds_role"), scope: str("cds_scope"), sub: str("sub"), exp };
  } catch {
    return {};
  }
}

function authHeaders(): Record<string, string> {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

// Told when the API refuses the token the page sent (401: expired, or no longer valid). A
// listener that takes the reader to a sign-in page returns true (pages/signin.ts, for experts'
// sessions): the refused call then never settles, since the page that made it is gone and must not
// paint its error over the sign-in page. Listeners are asked in the order they were added.
const refusedListeners: (() => boolean)[] = [];

export function onTokenRefused(listener: () => boolean): void {
  refusedListeners.push(listener);
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const sent = authHeaders();
  const response = await fetch(ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...sent },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401 && sent.Authorization && refusedListeners.some((listener) => listener())) {
    return new Promise<T>(() => undefined);
  }
  let body: Response<T>;
  try {
    body = (await response.json()) as Response<T>;
  } catch {
    throw new GraphQLError(`HTTP ${response.status}`, undefined);
  }
  const first = body.errors?.[0];
  if (first) throw new GraphQLError(first.message, first.extensions?.code);
  if (!body.data) throw new GraphQLError(`HTTP ${response.status}`, undefined);
  return body.data;
}

let wsClient: Client | null = null;

// One WebSocket per tab, re-opened with backoff by graphql-ws when the server restarts.
export function subscriptions(onStatus: (connected: boolean) => void): Client {
  if (wsClient) return wsClient;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  wsClient = createClient({
    url: `${scheme}//${location.host}${ENDPOINT}`,
    connectionParams: () => {
      const value = token();
      return value ? { authorization: `Bearer ${value}` } : {};
    },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => onStatus(true),
      closed: () => onStatus(false),
    },
  });
  return wsClient;
}

export function resetSubscriptions(): void {
  void wsClient?.dispose();
  wsClient = null;
}
