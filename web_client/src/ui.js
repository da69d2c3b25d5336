// Small builders several pages share: form fields, "label: value" facts and buttons.

import { h } from "./dom.js";
import { t } from "./i18n.js";

// A labelled form control stacked under its label.
export function field(id, label, input) {
  return h("div", { class: "field" }, h("label", { for: id }, label), input);
}

// "Label: value", the value isolated so Latin names and codes keep their order in Arabic.
export function fact(labelKey, value) {
  return h("li", {}, `${t(labelKey)}: `, h("bdi", {}, String(value)));
}

export function button(testId, label, onClick, attributes = {}) {
  const element = h(
    "button",
    { type: "button", class: "button", "data-testid": testId, ...attributes },
    label,
  );
  element.addEventListener("click", onClick);
  return element;
}
