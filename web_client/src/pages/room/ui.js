// Small builders the room's panels share.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

export { button } from "../../ui.js";

// A toggle whose label says what a click does next (e.g. "Lock chat" / "Unlock chat").
export function setToggle(element, on, onKey, offKey) {
  element.setAttribute("aria-pressed", String(on));
  element.textContent = t(on ? offKey : onKey);
}

export function panel(className, titleKey, ...children) {
  return h("section", { class: `room-panel ${className}` }, h("h2", {}, t(titleKey)), ...children);
}
