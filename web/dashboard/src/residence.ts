// Where an expert lives, as the registration form and My profile ask it: the country (Vietnam
// first) and the province. In Vietnam the province is required (it decides who reviews them);
// abroad it is optional and means a province they want to help, which the label and a hint say
// (the hint is tied to the control, so a screen reader reads it too).

import { h } from "./dom";
import type { Fields } from "./fields";
import { t } from "./i18n";
import type { Province } from "./queries";
import { countrySelect, VIETNAM } from "./vocab";

export interface Residence {
  elements: HTMLElement[];
  country: HTMLSelectElement;
  province: HTMLSelectElement;
  abroad: () => boolean;
}

export function residenceFields(
  fields: Fields,
  list: Province[],
  countryCode: string,
  provinceCode: string | null,
): Residence {
  const country = countrySelect(countryCode);
  country.setAttribute("autocomplete", "country");
  const province = h(
    "select",
    {},
    h("option", { value: "" }, t("choose")),
    ...list.map((p) => h("option", { value: p.code, selected: p.code === provinceCode }, p.name)),
  );
  const countryField = fields.field("countryCode", t("countryNow"), country);
  const provinceField = fields.field("provinceCode", t("provinceNow"), province);
  const label = provinceField.querySelector("label")!;
  const hint = h("p", { class: "hint", id: "h-provinceCode" }, t("provinceAbroadHint"));
  province.after(hint);
  const abroad = (): boolean => country.value !== VIETNAM;
  const paint = (): void => {
    label.textContent = t(abroad() ? "provinceAbroad" : "provinceNow");
    province.required = !abroad();
    hint.hidden = !abroad();
    if (abroad()) province.setAttribute("aria-describedby", hint.id);
    else province.removeAttribute("aria-describedby");
  };
  country.addEventListener("change", paint);
  paint();
  return { elements: [countryField, provinceField], country, province, abroad };
}
