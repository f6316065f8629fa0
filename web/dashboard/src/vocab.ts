// The expert network's vocabularies, read once from the API (they are data, not code): the
// areas of expertise as a tree (`expertiseAreas`) and the countries of residence (`countries`,
// ISO 3166-1 with CLDR's names). Pages await `loadVocab()` before drawing what names them.

import { h } from "./dom";
import { gql } from "./gql";
import { lang, setExpertiseNames, t } from "./i18n";

export interface Named {
  code: string;
  nameVi: string;
  nameEn: string;
}

export interface Area extends Named {
  subareas: Named[];
}

let areas: Area[] = [];
let countries: Named[] = [];
let loading: Promise<void> | null = null;

export function loadVocab(): Promise<void> {
  loading ??= gql<{ expertiseAreas: Area[]; countries: Named[] }>(
    `query Vocabularies {
      expertiseAreas { code nameVi nameEn subareas { code nameVi nameEn } }
      countries { code nameVi nameEn }
    }`,
  ).then(
    (data) => {
      areas = data.expertiseAreas;
      countries = data.countries;
      setExpertiseNames(areas.flatMap((a) => [a, ...a.subareas]));
    },
    (error: Error) => {
      loading = null; // let the next page try again
      throw error;
    },
  );
  return loading;
}

export const VIETNAM = "VN";

export function nameOf(x: Named): string {
  return lang() === "vi" ? x.nameVi : x.nameEn;
}

export function countryName(code: string): string {
  const found = countries.find((c) => c.code === code);
  return found ? nameOf(found) : code;
}

// A country picker, Vietnam first, the others in the API's order (by Vietnamese name).
export function countrySelect(selected: string | null, first?: HTMLOptionElement): HTMLSelectElement {
  const vn = countries.find((c) => c.code === VIETNAM);
  return h(
    "select",
    {},
    first ?? null,
    ...[...(vn ? [vn] : []), ...countries.filter((c) => c.code !== VIETNAM)].map((c) =>
      h("option", { value: c.code, selected: c.code === selected }, nameOf(c)),
    ),
  );
}

// The areas as fieldsets, one per area with its name as the legend, a checkbox for the area as
// a whole and one per sub-area: grouped for sighted users and screen readers alike, and plain
// checkboxes in tab order for the keyboard.
export function areaCheckboxes(name: string, checked: ReadonlySet<string>): HTMLElement[] {
  const box = (x: Named, label: string): HTMLElement =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name, value: x.code, checked: checked.has(x.code) }), label);
  return areas.map((a) =>
    h(
      "fieldset",
      { class: "area", "data-area": a.code },
      h("legend", {}, nameOf(a)),
      box(a, t("areaAsWhole")),
      ...a.subareas.map((s) => box(s, nameOf(s))),
    ),
  );
}

// The same checkboxes folded: one <details> per area, its summary the area's name and how many
// of its boxes are ticked, opened with Enter or Space. All 20-odd areas unfolded are ~6,900 px
// tall on a 390 px phone; folded, the form stays one screen of names. An area with a ticked box
// starts open, so nothing chosen is hidden.
export function areaFolds(name: string, checked: ReadonlySet<string>): HTMLElement[] {
  return areas.map((a) => {
    const count = h("span", { class: "chosen-count" });
    const boxes = [a, ...a.subareas].map((x) =>
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name, value: x.code, checked: checked.has(x.code) }),
        x === a ? t("areaAsWhole") : nameOf(x),
      ),
    );
    const fold = h(
      "details",
      { class: "area", "data-area": a.code },
      h("summary", {}, nameOf(a), count),
      h("div", { role: "group", "aria-label": nameOf(a) }, ...boxes),
    );
    const paint = (): void => {
      const n = fold.querySelectorAll("input:checked").length;
      count.textContent = n ? ` (${t("chosenCount", { n: String(n) })})` : "";
    };
    fold.addEventListener("change", paint);
    paint();
    if (boxes.some((b) => b.querySelector("input")?.checked)) fold.setAttribute("open", "");
    return fold;
  });
}

// The same tree for a filter: an option group per area, the area itself first (it includes its
// sub-areas), then its sub-areas.
export function areaOptions(selected: string | null): HTMLElement[] {
  return areas.map((a) =>
    h(
      "optgroup",
      { label: nameOf(a) },
      h("option", { value: a.code, selected: a.code === selected }, `${nameOf(a)} — ${t("areaAll")}`),
      ...a.subareas.map((s) => h("option", { value: s.code, selected: s.code === selected }, nameOf(s))),
    ),
  );
}
