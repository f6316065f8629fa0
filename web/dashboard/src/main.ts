// The shell: header (pages, language, sign-in, live status) and a hash router that draws one
// page into <main> and stops the previous page's live work. Sign-in is the provider's single
// sign-on when the server names one (sso.ts), and pasting a token where the server allows it
// (development); a session that expires, or whose token the API refuses, is said so.

import { claims, onTokenRefused, resetSubscriptions, setToken, token } from "./gql";
import { currentRoute, h, replace } from "./dom";
import { codeLabel, lang, setLang, t, type Key } from "./i18n";
import { liveStatus, onLiveStatus, type LiveStatus } from "./live";
import { coveragePage } from "./pages/coverage";
import { expertsPage } from "./pages/experts";
import { gapsPage } from "./pages/gaps";
import type { Page } from "./pages/page";
import { rankingsPage } from "./pages/rankings";
import { targetsPage } from "./pages/targets";
import { registerPage } from "./pages/register";
import { confirmPage } from "./pages/confirm";
import { mayReview, pendingPage } from "./pages/pending";
import { authConfig, cancelled, completeSignIn, failureReason, forgetIdToken, signInWithSso, signOutAt, type AuthConfig } from "./sso";
import { expertSessionEnded, isExpert, isLeader, leaderSignInPage, signInPage } from "./pages/signin";
import { myTeamsPage } from "./pages/myteams";
import { teamPage } from "./pages/team";
import { mePage } from "./pages/me";
import { maySupport, supportPage } from "./pages/support";

// Each page: its title, how it draws, and whether the menu offers it (the review queue to those
// who review; the confirmation page only through the link in the mail; expert sign-in to whoever is
// not signed in, My profile to a signed-in expert).
const PAGES: Record<string, [Key, Page, () => boolean]> = {
  map: ["navMap", coveragePage, () => true],
  rankings: ["navRankings", rankingsPage, () => true],
  targets: ["navTargets", targetsPage, () => true],
  gaps: ["navGaps", gapsPage, () => true],
  experts: ["navExperts", expertsPage, () => true],
  pending: ["navPending", pendingPage, mayReview],
  // Support requests and expert matching (#15): for the coordinators who file and match them.
  support: ["navSupport", supportPage, maySupport],
  register: ["navRegister", registerPage, () => true],
  confirm: ["confirmTitle", confirmPage, () => false],
  // Experts sign in by a link in a mail, then manage their own data; team leaders sign in the
  // same way, then report for the teams they lead.
  "sign-in": ["navSignInExpert", signInPage, () => !claims()],
  "sign-in-leader": ["navSignInLeader", leaderSignInPage, () => !claims()],
  me: ["navMe", mePage, isExpert],
  "my-teams": ["navMyTeams", myTeamsPage, isLeader],
  // A team's activity and its report form: reached from a gap list or a link a leader is sent.
  team: ["navTeam", teamPage, () => false],
};

const app = document.getElementById("app")!;
const header = h("header", { class: "top" });
// What the page has to say about signing in (failed, session expired), above the page.
const notice = h("div", { class: "auth-notice", role: "alert", hidden: true });
const main = h("main", { id: "main", tabindex: -1 });
app.replaceChildren(header, notice, main);

let auth: AuthConfig = { mode: "local", sso: null, tokenPaste: true };

onLiveStatus(() => {
  const badge = document.querySelector<HTMLElement>("[data-testid=live-status]");
  if (badge) paintLive(badge);
});

const LIVE_LABELS: Record<Exclude<LiveStatus, "idle">, Key> = {
  connecting: "connecting",
  connected: "live",
  offline: "offline",
  databaseDown: "databaseDown",
};

function paintLive(badge: HTMLElement): void {
  const status = liveStatus();
  badge.hidden = status === "idle";
  badge.textContent = status === "idle" ? "" : t(LIVE_LABELS[status]);
  badge.className = `live ${status}`;
  badge.dataset.connected = String(status === "connected");
}

function drawHeader(active: string): void {
  const who = claims();
  const live = h("span", { "data-testid": "live-status", role: "status" });
  paintLive(live);
  const langButton = h("button", { type: "button", class: "link", lang: lang() === "vi" ? "en" : "vi" }, t("language"));
  langButton.addEventListener("click", () => {
    setLang(lang() === "vi" ? "en" : "vi");
    route();
  });
  // A coordinator's scope is a province or commune code worth seeing; an expert's or a team
  // leader's is their person id, an internal key that means nothing to them: not shown.
  const personal = who?.role === "EXPERT" || who?.role === "TEAM_LEADER";
  const scope = who?.scope && !personal ? ` (${who.scope})` : "";
  const account = who
    ? h(
        "span",
        { class: "who", "data-testid": "signed-in", "data-role": who.role ?? "", "data-scope": who.scope ?? "" },
        `${t("signedInAs")}: ${who.role ? codeLabel(who.role) : "?"}${scope} `,
        h("button", { type: "button", class: "link", onclick: (() => void signOut()) as EventListener }, t("signOut")),
      )
    : h("span", { class: "who" }, ...signInButtons());
  replace(
    header,
    h("a", { class: "brand", href: "#/map" }, t("appTitle")),
    h(
      "nav",
      { "aria-label": "main" },
      ...Object.entries(PAGES)
        .filter(([id, [, , offered]]) => offered() || id === active)
        .map(([id, [label]]) => h("a", { href: `#/${id}`, "aria-current": id === active ? "page" : null }, t(label))),
      h("a", { href: "/graphql" }, t("navGraphiql")),
    ),
    h("span", { class: "tools" }, live, langButton, account),
  );
}

function signInButtons(): HTMLElement[] {
  const buttons: HTMLElement[] = [];
  if (auth.sso) {
    buttons.push(h("button", { type: "button", class: "link", "data-testid": "sign-in", onclick: (() => void signIn()) as EventListener }, t("signIn")));
  }
  if (auth.tokenPaste) {
    const label = auth.sso ? t("pasteToken") : t("signIn");
    buttons.push(h("button", { type: "button", class: "link", "data-testid": auth.sso ? "paste-token" : "sign-in", onclick: (() => pasteToken()) as EventListener }, label));
  }
  return buttons;
}

// The notice is kept as what to say, and drawn with the page (so it follows the language).
interface Notice {
  key: Key;
  vars?: Record<string, string>;
  testid: string;
  offerSignIn?: boolean;
}
let said: Notice | null = null;

function say(next: Notice | null): void {
  said = next;
  paintNotice();
}

function paintNotice(): void {
  notice.hidden = said === null;
  if (said === null) {
    notice.replaceChildren();
    return;
  }
  notice.dataset.testid = said.testid;
  const again = said.offerSignIn
    ? h("button", { type: "button", class: "primary", "data-testid": "sign-in-again", onclick: (() => void signIn()) as EventListener }, t("signInAgain"))
    : null;
  replace(notice, h("span", {}, t(said.key, said.vars)), again ? " " : null, again);
}

async function signIn(): Promise<void> {
  if (!auth.sso) {
    pasteToken();
    return;
  }
  say({ key: "signingIn", testid: "signing-in" });
  try {
    await signInWithSso(auth.sso); // the browser leaves for the provider's login page
  } catch (error) {
    say({ key: "signInFailed", vars: { reason: failureReason(error) }, testid: "sign-in-failed" });
  }
}

function pasteToken(): void {
  const input = h("textarea", { id: "token", rows: 4, required: true, spellcheck: false });
  const dialog = h(
    "dialog",
    { class: "signin" },
    h(
      "form",
      { method: "dialog" },
      h("label", { for: "token" }, t("token")),
      h("p", { class: "hint" }, t("signInHelp")),
      input,
      h("button", { type: "submit", class: "primary", value: "ok" }, t("signIn")),
    ),
  );
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "ok" && input.value.trim()) {
      setToken(input.value);
      signedIn();
    }
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
}

// After any sign-in: the socket authenticates once, at connection, so it starts again.
function signedIn(): void {
  say(null);
  resetSubscriptions();
  watchExpiry();
  route();
}

async function signOut(): Promise<void> {
  setToken(null);
  resetSubscriptions();
  window.clearTimeout(expiryTimer);
  let provider: string | null = null;
  if (auth.sso) {
    try {
      provider = await signOutAt(auth.sso);
    } catch {
      provider = null; // signed out here at least; the provider's session ends with its own time
    }
  }
  if (provider) location.assign(provider);
  else route();
}

// The token says when it expires: the page says so then, rather than at the next failed
// request. A 401 from the API (the token refused for any reason) is the same to the user.
let expiryTimer: number | undefined;

function watchExpiry(): void {
  window.clearTimeout(expiryTimer);
  const exp = claims()?.exp;
  if (!exp) return;
  const left = exp * 1000 - Date.now();
  if (left <= 0) sessionEnded();
  else expiryTimer = window.setTimeout(sessionEnded, Math.min(left, 2 ** 31 - 1));
}

function sessionEnded(): void {
  if (!token() || expertSessionEnded()) return; // an expert goes back to their own sign-in page
  setToken(null);
  forgetIdToken();
  resetSubscriptions();
  window.clearTimeout(expiryTimer);
  say({ key: "sessionExpired", testid: "session-expired", offerSignIn: Boolean(auth.sso || auth.tokenPaste) });
  route();
}

onTokenRefused(() => {
  sessionEnded();
  return false;
});

let stopPage: (() => void) | void;

function route(): void {
  stopPage?.();
  const { page } = currentRoute();
  const [label, draw] = PAGES[page] ?? PAGES.map!;
  document.documentElement.lang = lang();
  document.title = `${t(label)} · ${t("appTitle")}`;
  stopPage = draw(main);
  drawHeader(page in PAGES ? page : "map");
  paintNotice();
}

async function start(): Promise<void> {
  auth = await authConfig();
  try {
    await completeSignIn(auth.sso);
  } catch (error) {
    if (cancelled(error)) say({ key: "signInCancelled", testid: "sign-in-cancelled" });
    else say({ key: "signInFailed", vars: { reason: failureReason(error) }, testid: "sign-in-failed" });
  }
  window.addEventListener("hashchange", route);
  watchExpiry();
  route();
}

void start();
