// Đăng nhập chuyên gia / Expert sign-in (#/sign-in) and Đăng nhập tổ trưởng / Team leader
// sign-in (#/sign-in-leader), without a password: one mechanism (graph/signin/links.py), the page
// naming the role the link is asked for. requestSignInLink answers the same for every address, so
// the page says "if registered…"; the mail's link (/sign-in?token=… redirects to
// #/sign-in?token=…) signs in at once, as the role asked for, and leads to My profile (an expert)
// or My teams (a leader). The session is kept in sessionStorage, for this tab only, like any token
// of the dashboard; when the server refuses it (expired), the reader is brought back to their
// sign-in page and told.

import { claims, onTokenRefused, resetSubscriptions, setToken } from "../gql";
import { currentRoute, go, h, replace } from "../dom";
import { t, type Key } from "../i18n";
import { redeemSignInLink, requestSignInLink, type RedeemResult, type SignInRole } from "../queries";
import { emailForm } from "./confirm";
import type { Page } from "./page";

const PROBLEMS: Record<string, Key> = {
  EXPIRED: "signInExpired",
  USED: "signInUsed",
  REPLACED: "signInReplaced",
  INVALID: "signInInvalid",
};

export function isExpert(): boolean {
  return claims()?.role === "EXPERT";
}

export function isLeader(): boolean {
  return claims()?.role === "TEAM_LEADER";
}

// Where each role asks for a link, and where its session leads.
const SIGN_IN_PAGE: Record<SignInRole, string> = { EXPERT: "sign-in", TEAM_LEADER: "sign-in-leader" };
const HOME: Record<SignInRole, string> = { EXPERT: "me", TEAM_LEADER: "my-teams" };

// A link's session (an expert's or a leader's) that has expired or the server no longer accepts:
// forget it and ask to sign in again, on that role's page. False when the session is not a
// link's (main.ts deals with those).
export function expertSessionEnded(): boolean {
  if (!isExpert() && !isLeader()) return false;
  const page = SIGN_IN_PAGE[isLeader() ? "TEAM_LEADER" : "EXPERT"];
  setToken(null);
  resetSubscriptions();
  go(page, { expired: "1" });
  return true;
}

onTokenRefused(expertSessionEnded);

export function signOutExpert(): void {
  const page = SIGN_IN_PAGE[isLeader() ? "TEAM_LEADER" : "EXPERT"];
  setToken(null);
  resetSubscriptions();
  go(page, { out: "1" });
}

// What differs between the two sign-in pages: the words, and the other page's link.
const WORDS: Record<SignInRole, { title: Key; intro: Key; sent: Key }> = {
  EXPERT: { title: "signInTitle", intro: "signInIntro", sent: "signInSent" },
  TEAM_LEADER: { title: "leaderSignInTitle", intro: "leaderSignInIntro", sent: "leaderSignInSent" },
};

function signInFor(role: SignInRole): Page {
  return (root) => drawSignIn(root, role);
}

export const signInPage: Page = signInFor("EXPERT");
export const leaderSignInPage: Page = signInFor("TEAM_LEADER");

function drawSignIn(root: HTMLElement, role: SignInRole): void {
  const params = currentRoute().params;
  const token = params.get("token");
  if (token) history.replaceState(null, "", `#/${SIGN_IN_PAGE[role]}`); // not in the history, not bookmarked

  const words = WORDS[role];
  const said = h("div", { "data-testid": "signin-result", role: "status", tabindex: -1, hidden: true });
  const form = emailForm("signin", t("signInLinkTitle"), t(words.intro), t("signInSend"), false);
  const other =
    role === "EXPERT"
      ? h(
          "p",
          { class: "hint" },
          t("notRegisteredYet"),
          " ",
          h("a", { href: "#/register" }, t("navRegister")),
          " · ",
          t("orLeader"),
          " ",
          h("a", { href: "#/sign-in-leader" }, t("navSignInLeader")),
        )
      : h("p", { class: "hint" }, t("orExpert"), " ", h("a", { href: "#/sign-in" }, t("navSignInExpert")));
  replace(root, h("h2", {}, t(words.title)), said, form.section, other);

  const show = (kind: string, className: string, ...lines: string[]): void => {
    said.hidden = false;
    said.className = className;
    said.dataset.outcome = kind;
    replace(said, ...lines.map((line) => h("p", {}, line)));
    said.focus();
  };
  if (params.get("expired")) show("session-expired", "error-summary", t("expertSessionExpired"));
  else if (params.get("out")) show("signed-out", "status", t("signedOut"));

  form.onSubmit(async (email) => {
    const outcome = await requestSignInLink(email, role);
    if (outcome.__typename === "SignInLinkRequested") {
      form.say(t(words.sent, { m: outcome.linkMinutes }), true);
    } else if (outcome.__typename === "RateLimitedError") {
      form.say(t("rateLimited", { s: outcome.retryAfterSeconds }), false);
    } else {
      form.say(t("invalidEmail"), false);
    }
  });

  if (token) {
    show("signing-in", "status", t("signingIn"));
    void redeemSignInLink(token).then(
      (outcome: RedeemResult) => {
        if (outcome.__typename !== "InvalidSignInLink") {
          setToken(outcome.token);
          resetSubscriptions(); // the socket authenticates once, at connection
          go(HOME[outcome.role], { welcome: outcome.emailConfirmedNow ? "confirmed" : "1" });
          return;
        }
        show(outcome.problem.toLowerCase(), "error-summary", t(PROBLEMS[outcome.problem] ?? "signInInvalid"), t("askNewLink"));
        form.email.focus();
      },
      (error: Error) => show("error", "error-summary", `${t("errorPrefix")}: ${error.message}`),
    );
  }
}
