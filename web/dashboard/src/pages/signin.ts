// Đăng nhập chuyên gia / Expert sign-in, without a password: the expert asks for a link by e-mail
// (requestSignInLink answers the same for every address, so the page says "if registered…");
// the mail's link (/sign-in?token=… redirects to #/sign-in?token=…) signs in at once and leads
// to My profile. The session is kept in sessionStorage, for this tab only, like any token of the
// dashboard; when the server refuses it (expired), the reader is brought back here and told.

import { claims, onTokenRefused, resetSubscriptions, setToken } from "../gql";
import { currentRoute, go, h, replace } from "../dom";
import { t, type Key } from "../i18n";
import { redeemSignInLink, requestSignInLink, type RedeemResult } from "../queries";
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

// An expert's session that has expired or the server no longer accepts: forget it and ask to
// sign in again. False when the session is not an expert's (main.ts deals with those).
export function expertSessionEnded(): boolean {
  if (!isExpert()) return false;
  setToken(null);
  resetSubscriptions();
  go("sign-in", { expired: "1" });
  return true;
}

onTokenRefused(expertSessionEnded);

export function signOutExpert(): void {
  setToken(null);
  resetSubscriptions();
  go("sign-in", { out: "1" });
}

export const signInPage: Page = (root) => {
  const params = currentRoute().params;
  const token = params.get("token");
  if (token) history.replaceState(null, "", "#/sign-in"); // not in the history, not bookmarked

  const said = h("div", { "data-testid": "signin-result", role: "status", tabindex: -1, hidden: true });
  const form = emailForm("signin", t("signInLinkTitle"), t("signInIntro"), t("signInSend"), false);
  replace(
    root,
    h("h2", {}, t("signInTitle")),
    said,
    form.section,
    h("p", { class: "hint" }, t("notRegisteredYet"), " ", h("a", { href: "#/register" }, t("navRegister"))),
  );

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
    const outcome = await requestSignInLink(email);
    if (outcome.__typename === "SignInLinkRequested") {
      form.say(t("signInSent", { m: outcome.linkMinutes }), true);
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
        if (outcome.__typename === "ExpertSession") {
          setToken(outcome.token);
          resetSubscriptions(); // the socket authenticates once, at connection
          go("me", { welcome: outcome.emailConfirmedNow ? "confirmed" : "1" });
          return;
        }
        show(outcome.problem.toLowerCase(), "error-summary", t(PROBLEMS[outcome.problem] ?? "signInInvalid"), t("askNewLink"));
        form.email.focus();
      },
      (error: Error) => show("error", "error-summary", `${t("errorPrefix")}: ${error.message}`),
    );
  }
};
