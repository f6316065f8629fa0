// Tổ của tôi / My teams: where a team leader lands after signing in by e-mail link
// (#/sign-in-leader): the running teams they lead (myTeams, one request), each a link to the
// team's page, which holds its report form. The server decides what the session may do; the page only asks.

import { currentRoute, h, replace } from "../dom";
import { t } from "../i18n";
import { myTeams, type LedTeam } from "../queries";
import type { Page } from "./page";
import { isLeader, signOutExpert } from "./signin";

export const myTeamsPage: Page = (root) => {
  const heading = h("h2", { tabindex: -1 }, t("myTeamsTitle"));
  if (!isLeader()) {
    replace(
      root,
      heading,
      h(
        "p",
        { class: "status", "data-testid": "my-teams-signed-out" },
        t("myTeamsNeedsSignIn"),
        " ",
        h("a", { href: "#/sign-in-leader" }, t("navSignInLeader")),
      ),
    );
    return;
  }
  if (currentRoute().params.get("welcome")) history.replaceState(null, "", "#/my-teams");
  const status = h("p", { class: "status", role: "status", "data-testid": "my-teams-status" }, t("loading"));
  const list = h("ul", { class: "my-teams", "data-testid": "my-teams" });
  const signOut = h("button", { type: "button", class: "link", "data-testid": "leader-sign-out" }, t("signOut"));
  signOut.addEventListener("click", signOutExpert);
  replace(root, heading, h("p", { class: "hint" }, t("myTeamsIntro")), status, list, h("p", {}, signOut));
  heading.focus();
  // A refused session moves the reader to the sign-in page meanwhile: then nothing to draw.
  const here = (): boolean => currentRoute().page === "my-teams";
  void myTeams().then(
    (teams) => {
      if (!here()) return;
      status.textContent = teams.length ? "" : t("myTeamsNone");
      status.hidden = teams.length > 0;
      replace(list, ...teams.map(item));
    },
    (error: Error) => {
      if (!here()) return;
      status.textContent = `${t("errorPrefix")}: ${error.message}`;
      status.classList.add("error");
    },
  );
};

function item(team: LedTeam): HTMLElement {
  const where = [team.villageName, ...team.communes.map((c) => c.name)].filter(Boolean).join(" · ");
  // One link per team, named by the team, to its page: the reports and the form to add one.
  return h(
    "li",
    { "data-team-id": team.id },
    h("a", { href: `#/team?id=${encodeURIComponent(team.id)}`, class: "team-link" }, team.name),
    where ? h("span", { class: "hint" }, ` — ${where}`) : null,
  );
}
