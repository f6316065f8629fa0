// The shell: header (pages, language, sign-in, live status) and a hash router that draws one
// page into <main> and stops the previous page's live work.

import { claims, resetSubscriptions, setToken } from "./gql";
import { currentRoute, h, replace } from "./dom";
import { codeLabel, lang, setLang, t, type Key } from "./i18n";
import { liveStatus, onLiveStatus, type LiveStatus } from "./live";
import { coveragePage } from "./pages/coverage";
import { expertsPage } from "./pages/experts";
import { gapsPage } from "./pages/gaps";
import type { Page } from "./pages/page";
import { rankingsPage } from "./pages/rankings";
import { registerPage } from "./pages/register";
import { confirmPage } from "./pages/confirm";
import { mayReview, pendingPage } from "./pages/pending";
import { isExpert, signInPage } from "./pages/signin";
import { mePage } from "./pages/me";

// Each page: its title, how it draws, and whether the menu offers it (the review queue to those
// who review; the confirmation page only through the link in the mail; expert sign-in to whoever is
// not signed in, My profile to a signed-in expert).
const PAGES: Record<string, [Key, Page, () => boolean]> = {
  map: ["navMap", coveragePage, () => true],
  rankings: ["navRankings", rankingsPage, () => true],
  gaps: ["navGaps", gapsPage, () => true],
  experts: ["navExperts", expertsPage, () => true],
  pending: ["navPending", pendingPage, mayReview],
  register: ["navRegister", registerPage, () => true],
  confirm: ["confirmTitle", confirmPage, () => false],
  // Experts sign in by a link in a mail, then manage their own data.
  "sign-in": ["navSignInExpert", signInPage, () => !claims()],
  me: ["navMe", mePage, isExpert],
};

const app = document.getElementById("app")!;
const header = h("header", { class: "top" });
const main = h("main", { id: "main", tabindex: -1 });
app.replaceChildren(header, main);

onLiveStatus(() => {
  const badge = document.querySelector<HTMLElement>("[data-testid=live-status]");
  if (badge) paintLive(badge);
});

const LIVE_LABELS: Record<Exclude<LiveStatus, "idle">, Key> = {
  connecting: "connecting",
  connected: "live",
  offline: "offline",
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
  const auth = who
    ? h(
        "span",
        { class: "who", "data-testid": "signed-in", "data-role": who.role ?? "" },
        `${t("signedInAs")}: ${who.role ? codeLabel(who.role) : "?"}${who.scope ? ` (${who.scope})` : ""} `,
        h("button", { type: "button", class: "link", onclick: (() => signOut()) as EventListener }, t("signOut")),
      )
    : h("button", { type: "button", class: "link", onclick: (() => signIn()) as EventListener }, t("signIn"));
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
    h("span", { class: "tools" }, live, langButton, auth),
  );
}

function signIn(): void {
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
      resetSubscriptions(); // the socket authenticates once, at connection
      route();
    }
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
}

function signOut(): void {
  setToken(null);
  resetSubscriptions();
  route();
}

let stopPage: (() => void) | void;

function route(): void {
  stopPage?.();
  const { page } = currentRoute();
  const [label, draw] = PAGES[page] ?? PAGES.map!;
  document.documentElement.lang = lang();
  document.title = `${t(label)} · ${t("appTitle")}`;
  stopPage = draw(main);
  drawHeader(page in PAGES ? page : "map");
}

window.addEventListener("hashchange", route);
route();
