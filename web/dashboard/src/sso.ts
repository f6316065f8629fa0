// Single sign-on through the ministry's OpenID Connect provider: the authorization code flow
// with PKCE (S256), done by oauth4webapi (panva's certified client, no dependencies). The page
// is a public client: it keeps no secret, only a one-time code verifier while the browser is at
// the provider. The access token goes where a pasted one goes (sessionStorage, this tab only)
// and is the bearer for the API, which verifies it (api/auth.py); the ID token is kept only to
// name the session when signing out at the provider.

import * as oauth from "oauth4webapi";
import { setToken } from "./gql";
import { lang } from "./i18n";

export interface Sso {
  issuer: string;
  clientId: string;
  scopes: string;
  resource: string;
}

export interface AuthConfig {
  mode: "local" | "oidc";
  sso: Sso | null;
  tokenPaste: boolean;
}

const PENDING_KEY = "cds.sso.pending";
const ID_TOKEN_KEY = "cds.idToken";
const LOCAL: AuthConfig = { mode: "local", sso: null, tokenPaste: true };

let config: Promise<AuthConfig> | null = null;

// The server says how to sign in (GET /auth/config, from its settings).
export function authConfig(): Promise<AuthConfig> {
  config ??= fetch("/auth/config", { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? (response.json() as Promise<AuthConfig>) : LOCAL))
    .catch(() => LOCAL);
  return config;
}

// The provider answers at the dashboard's own address; the page reads the answer on load.
function redirectUri(): string {
  return `${location.origin}/dashboard/`;
}

// Plain http only for a provider on this machine (development, tests): oauth4webapi refuses it
// otherwise, as it should.
function requestOptions(issuer: URL): { [oauth.allowInsecureRequests]: boolean } {
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
  return { [oauth.allowInsecureRequests]: issuer.protocol === "http:" && loopback };
}

async function discover(sso: Sso): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(sso.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...requestOptions(issuer) });
  // Checks that the document names exactly this issuer.
  return oauth.processDiscoveryResponse(issuer, response);
}

interface Pending {
  verifier: string;
  state: string;
  returnTo: string;
}

export async function signInWithSso(sso: Sso): Promise<void> {
  const as = await discover(sso);
  if (!as.authorization_endpoint) throw new Error("the provider names no authorization endpoint");
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const pending: Pending = { verifier, state, returnTo: location.hash };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: sso.clientId,
    redirect_uri: redirectUri(),
    response_type: "code",
    scope: sso.scopes,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    resource: sso.resource, // the API: the access token is minted for its audience
    ui_locales: lang(),
  }).toString();
  location.assign(url.href);
}

function readPending(): Pending | null {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one use, whatever happens next
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Pending;
  } catch {
    return null;
  }
}

// On load: when the address carries the provider's answer (?code=…&state=…&iss=… or ?error=…),
// drop it from the address, check it against what this tab sent, and exchange the code for the
// tokens. Returns false when there was no answer to read; throws with the reason on failure.
export async function completeSignIn(sso: Sso | null): Promise<boolean> {
  const answer = new URL(location.href);
  if (!answer.searchParams.has("code") && !answer.searchParams.has("error")) return false;
  const pending = readPending();
  history.replaceState(null, "", `${location.pathname}${pending?.returnTo ?? ""}`);
  if (!sso || !pending) throw new Error("no sign-in was started in this tab");
  const as = await discover(sso);
  const client: oauth.Client = { client_id: sso.clientId };
  const issuer = new URL(sso.issuer);
  // Checks state and the provider's iss parameter (RFC 9207); an ?error= answer throws here.
  const params = oauth.validateAuthResponse(as, client, answer, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    { additionalParameters: { resource: sso.resource }, ...requestOptions(issuer) },
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  setToken(tokens.access_token);
  if (tokens.id_token) sessionStorage.setItem(ID_TOKEN_KEY, tokens.id_token);
  return true;
}

// Forget the session here; the address of the provider's end_session endpoint, which ends it
// there too and sends the browser back to the dashboard (null: the provider has none).
export async function signOutAt(sso: Sso): Promise<string | null> {
  const idToken = sessionStorage.getItem(ID_TOKEN_KEY);
  forgetIdToken();
  const as = await discover(sso);
  if (!as.end_session_endpoint) return null;
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set("client_id", sso.clientId);
  url.searchParams.set("post_logout_redirect_uri", redirectUri());
  if (idToken) url.searchParams.set("id_token_hint", idToken);
  url.searchParams.set("ui_locales", lang());
  return url.href;
}

export function forgetIdToken(): void {
  sessionStorage.removeItem(ID_TOKEN_KEY);
}

// The person said no at the provider (its Cancel).
export function cancelled(error: unknown): boolean {
  return error instanceof oauth.AuthorizationResponseError && error.error === "access_denied";
}

// What to show when the sign-in failed: the provider's own words when it gave a reason.
export function failureReason(error: unknown): string {
  if (error instanceof oauth.AuthorizationResponseError) {
    return error.error_description ?? error.error;
  }
  if (error instanceof oauth.ResponseBodyError) return error.error_description ?? error.error;
  return error instanceof Error ? error.message : String(error);
}
