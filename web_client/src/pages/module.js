// A module's page at /modules/{id}: its units in order with the student's progress and locks,
// the quiz player, and for the course's educators the class's progress. After each quiz
// attempt or opened reading the units are fetched again, so what the server unlocked shows.
// The course's educators also get the unit editor (module/unit-editor.js) on it.

import { h } from "../dom.js";
import { attempt, errorLine } from "../feedback.js";
import { t } from "../i18n.js";
import { getModule, markOpened } from "../module-api.js";
import { fact } from "../ui.js";
import { createClassProgress } from "./module/class-progress.js";
import { percent } from "./module/format.js";
import { createQuizPlayer } from "./module/quiz.js";
import { createUnitEditor } from "./module/unit-editor.js";
import { renderUnits } from "./module/units.js";

export function header(module) {
  return h(
    "div",
    { class: "course-header" },
    h("p", {}, h("a", { href: `/courses/${module.course_id}`, "data-testid": "module-course-link" }, t("module.backToCourse"))),
    h("h1", { dir: "auto", "data-testid": "module-title" }, module.title),
    h(
      "ul",
      { class: "facts" },
      fact("module.fact.order", t(module.sequential ? "module.sequential" : "module.free")),
      fact("module.fact.threshold", percent(module.mastery_threshold)),
      module.open_course && fact("module.fact.licence", module.licence),
      module.can_manage && !module.published && h("li", { class: "badge" }, t("module.draft")),
    ),
    module.description && h("p", { class: "course-description-full", dir: "auto" }, module.description),
    module.can_manage && h("p", {}, h("a", { class: "button", href: `/modules/${module.id}/preview`, "data-testid": "module-preview-link" }, t("module.preview.link"))),
  );
}

export async function modulePage({ params }) {
  const moduleId = Number(params.moduleId);
  const module = await getModule(moduleId);
  const error = errorLine("module-error");
  const progress = h("p", { class: "module-progress", role: "status", "data-testid": "module-progress" });
  const list = h("ol", { class: "unit-list", "data-testid": "unit-list" });
  const stage = h("div", { class: "quiz-stage" });

  function show(current) {
    const done = current.units.filter((u) => u.state === "completed").length;
    progress.textContent = t("module.progress", { done, count: current.units.length });
    progress.hidden = current.can_manage; // an educator's own progress says nothing of the class
    renderUnits(list, current.units, { onOpenReading, onOpenQuiz });
    editor?.decorate(list, current.units);
  }

  async function refresh() {
    const answer = await attempt(error, () => getModule(moduleId));
    if (answer) show(answer.value);
  }

  async function onOpenReading(unit) {
    if ((await attempt(error, () => markOpened(unit.id))) !== null) await refresh();
  }

  async function onOpenQuiz(unit) {
    const answer = await attempt(error, () => createQuizPlayer(unit.quiz_id, unit.title, refresh));
    if (!answer) return;
    stage.replaceChildren(answer.value);
    answer.value.scrollIntoView({ block: "nearest" });
  }

  const editor = module.can_manage ? await createUnitEditor(module, refresh) : null;
  show(module);
  return h(
    "section",
    { class: "course-page module-page" },
    header(module),
    h("section", { class: "course-section" }, h("h2", {}, t("module.units")), progress, error, list),
    editor?.panel,
    stage,
    module.can_manage && (await createClassProgress(moduleId)),
  );
}
