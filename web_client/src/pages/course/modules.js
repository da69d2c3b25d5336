// The course's self-paced modules, in order, each linking to its page; educators also see
// drafts (students get only published modules from the server).

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

function moduleItem(module) {
  return h(
    "li",
    { class: "card module-card", "data-testid": "module-card" },
    h("a", { href: `/modules/${module.id}`, dir: "auto", "data-testid": "module-link" }, module.title),
    h(
      "span",
      { class: "badges" },
      !module.published && h("span", { class: "badge" }, t("module.draft")),
      module.open_course && h("span", { class: "badge accent" }, t("module.open")),
    ),
  );
}

export function createModules({ items }) {
  return h(
    "section",
    { class: "course-section modules" },
    h("h2", {}, t("course.modules")),
    h(
      "ul",
      { class: "module-list", "data-testid": "module-list" },
      ...(items.length ? items.map(moduleItem) : [h("li", { class: "empty" }, t("course.modules.empty"))]),
    ),
  );
}
