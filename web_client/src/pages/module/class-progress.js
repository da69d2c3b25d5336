// The educator's view of the class in a module: per unit how many students completed it, quiz
// attempts, the mean best score, first-attempt mastery, and a flag where students struggle.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { getClassProgress } from "../../module-api.js";
import { percent } from "./format.js";

function row(unit) {
  return h(
    "tr",
    { "data-testid": "class-unit", "data-unit-id": unit.unit_id, class: unit.struggling ? "struggling" : "" },
    h("th", { scope: "row", dir: "auto" }, unit.title),
    h("td", {}, t(`module.kind.${unit.kind}`)),
    h("td", { "data-testid": "class-completed" }, `${unit.completed} (${percent(unit.completion_rate)})`),
    h("td", { "data-testid": "class-attempts" }, String(unit.attempts)),
    h("td", {}, percent(unit.mean_best_score)),
    h("td", {}, percent(unit.first_attempt_mastery)),
    h("td", { "data-testid": "class-struggling" }, unit.struggling ? t("module.class.struggling") : ""),
  );
}

export async function createClassProgress(moduleId) {
  const section = h("section", { class: "course-section class-progress", "data-testid": "class-progress" });
  const table = h("table", { class: "class-table" });
  const summary = h("p", { "data-testid": "class-summary" });

  async function load() {
    const view = await getClassProgress(moduleId);
    summary.textContent = t("module.class.summary", { done: view.module_completed, count: view.students });
    const heads = ["unit", "kind", "completed", "attempts", "meanScore", "firstMastery", "flag"];
    table.replaceChildren(
      h("thead", {}, h("tr", {}, ...heads.map((key) => h("th", { scope: "col" }, t(`module.class.${key}`))))),
      h("tbody", {}, ...view.units.map(row)),
    );
  }

  const reload = h("button", { type: "button", class: "button", "data-testid": "class-reload" }, t("module.class.reload"));
  const error = errorLine("class-error");
  reload.addEventListener("click", () => attempt(error, load));
  await load();
  section.append(h("h2", {}, t("module.class.heading")), summary, h("div", { class: "table-scroll" }, table), reload, error);
  return section;
}
