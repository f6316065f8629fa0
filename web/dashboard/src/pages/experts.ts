// The expert directory: diacritic-insensitive search, filters by expertise and province, a
// profile view. E-mail and phone come back from the API only for coordinators whose scope
// covers the expert (and every such read is logged there); the page shows what it is given.

import { currentRoute, debounce, h, replace, today } from "../dom";
import { codeLabel, expertiseLabel, formatNumber, t } from "../i18n";
import { expert, experts, provinces, type ExpertQuery, type ExpertSummary } from "../queries";
import { labelled, statusLine } from "../controls";
import { areaOptions, countryName, countrySelect, loadVocab } from "../vocab";
import type { Page } from "./page";

const PAGE_SIZE = 20;

export const expertsPage: Page = (root) => {
  replace(root, h("p", { class: "status" }, t("loading")));
  const hash = location.hash;
  void loadVocab().then(
    // Not over another page: the reader may have moved on while the vocabularies loaded.
    () => location.hash === hash && directory(root),
    (error: Error) => replace(root, h("p", { class: "status error" }, `${t("errorPrefix")}: ${error.message}`)),
  );
};

function directory(root: HTMLElement): void {
  const route = currentRoute();
  const id = route.rest[0];
  if (id) {
    void profile(root, decodeURIComponent(id));
    return;
  }
  const query: ExpertQuery = {
    text: route.params.get("q"),
    expertise: route.params.get("expertise"),
    provinceCode: route.params.get("province"),
    country: route.params.get("country"),
  };

  const searchBox = h("input", {
    type: "search",
    id: "q",
    value: query.text ?? "",
    placeholder: t("searchPlaceholder"),
    autocomplete: "off",
  });
  const expertiseSelect = h(
    "select",
    { id: "expertise" },
    h("option", { value: "" }, t("allExpertise")),
    ...areaOptions(query.expertise),
  );
  // Every country, with "abroad" (all but Vietnam) right after "all".
  const countryFilter = countrySelect(query.country, h("option", { value: "" }, t("allCountries")));
  countryFilter.id = "country";
  countryFilter.options[0]!.after(h("option", { value: "abroad", selected: query.country === "abroad" }, t("abroadOnly")));
  const provinceSelect = h("select", { id: "province" }, h("option", { value: "" }, t("allProvinces")));
  const total = statusLine("expert-total");
  const list = h("ul", { class: "experts", "data-testid": "expert-list" });
  const more = h("button", { type: "button", hidden: true }, t("more"));

  // The address follows the filters (bookmarkable), but typing does not re-create the page: it
  // only reloads the list, so the search box keeps focus.
  const apply = (): void => {
    query.text = searchBox.value.trim() || null;
    query.expertise = expertiseSelect.value || null;
    query.provinceCode = provinceSelect.value || null;
    query.country = countryFilter.value || null;
    history.replaceState(
      null,
      "",
      `#/experts?${new URLSearchParams(
        Object.entries({
          q: query.text,
          expertise: query.expertise,
          province: query.provinceCode,
          country: query.country,
        }).filter(
          (e): e is [string, string] => Boolean(e[1]),
        ),
      )}`,
    );
    void load(true);
  };
  searchBox.addEventListener("input", debounce(apply, 250));
  expertiseSelect.addEventListener("change", apply);
  provinceSelect.addEventListener("change", apply);
  countryFilter.addEventListener("change", apply);

  replace(
    root,
    h(
      "section",
      { class: "toolbar", role: "search" },
      ...labelled("search", searchBox),
      ...labelled("expertise", expertiseSelect),
      ...labelled("province", provinceSelect),
      ...labelled("country", countryFilter),
    ),
    total,
    list,
    more,
  );
  void provinces(today()).then((all) => {
    for (const p of all) provinceSelect.append(h("option", { value: p.code, selected: p.code === query.provinceCode }, p.name));
  });

  let after: string | null = null;
  let generation = 0;
  const load = async (fresh: boolean): Promise<void> => {
    const mine = ++generation;
    if (fresh) after = null;
    try {
      const page = await experts(query, after, PAGE_SIZE);
      if (mine !== generation) return; // typed on: an older answer must not overwrite a newer one
      total.textContent = `${formatNumber(page.totalCount)} ${t("results")}`;
      total.dataset.total = String(page.totalCount);
      if (fresh) list.replaceChildren();
      if (page.nodes.length === 0 && fresh) list.append(h("li", {}, t("noResults")));
      for (const e of page.nodes) list.append(item(e));
      after = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
    } catch (error) {
      total.textContent = `${t("errorPrefix")}: ${(error as Error).message}`;
    }
  };
  more.addEventListener("click", () => void load(false));
  void load(true);
}

// Where the expert is: the province, and the country when it is not Vietnam.
function where(e: ExpertSummary): string {
  return [e.province?.name, e.abroad ? countryName(e.country.code) : null].filter(Boolean).join(" · ");
}

function item(e: ExpertSummary): HTMLElement {
  return h(
    "li",
    { "data-id": e.id },
    h("a", { href: `#/experts/${encodeURIComponent(e.id)}`, class: "name" }, e.fullName),
    h("span", { class: "affiliation" }, e.affiliation),
    h("span", { class: "where" }, where(e)),
    h("span", { class: "tags" }, ...e.expertise.map((x) => h("span", { class: "tag" }, expertiseLabel(x)))),
  );
}

async function profile(root: HTMLElement, id: string): Promise<void> {
  replace(root, h("p", { class: "status" }, t("loading")));
  try {
    const e = await expert(id);
    if (!e) {
      replace(root, h("p", { class: "status error" }, t("noResults")));
      return;
    }
    const row = (label: string, value: string | null | undefined, testid?: string): HTMLElement[] =>
      value ? [h("dt", {}, label), h("dd", { "data-testid": testid ?? null }, value)] : [];
    replace(
      root,
      h("a", { href: "#", onclick: ((ev: Event) => (ev.preventDefault(), history.back())) as EventListener }, `← ${t("back")}`),
      h(
        "article",
        { class: "profile", "data-testid": "expert-profile" },
        h("h2", {}, e.fullName),
        h(
          "dl",
          {},
          ...row(t("affiliation"), e.affiliation),
          ...row(t("organisation"), e.organisation?.name),
          ...row(t("province"), e.province?.name),
          ...row(t("country"), countryName(e.country.code)),
          ...row(t("expertise"), e.expertise.map(expertiseLabel).join(", ")),
          ...row(t("status"), codeLabel(e.status)),
          ...row(t("verifiedAt"), e.verifiedAt?.slice(0, 10)),
          ...row(t("email"), e.email, "expert-email"),
          ...row(t("phone"), e.phone, "expert-phone"),
        ),
        e.email || e.phone ? null : h("p", { class: "hint" }, t("contactHidden")),
      ),
    );
  } catch (error) {
    replace(root, h("p", { class: "status error" }, `${t("errorPrefix")}: ${(error as Error).message}`));
  }
}

