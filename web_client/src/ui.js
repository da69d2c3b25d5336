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

// The control named `name` of a form built with it (checked: a missing one is a bug).
/**
 * @param {HTMLFormElement} form
 * @param {string} name
 * @returns {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement}
 */
export function control(form, name) {
  const element = form.elements.namedItem(name);
  if (
    element instanceof HTMLInputElement ||
    element instanceof HTMLSelectElement ||
    element instanceof HTMLTextAreaElement
  ) {
    return element;
  }
  throw new Error(`the form has no control named ${name}`);
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
