// An educator's preview of a module as a student at /modules/{id}/preview: the page a learner
// yet to start it gets (its units locked as the server locks them for a fresh learner), with
// the quiz player checking answers without recording them. Nothing here marks progress, so the
// preview unlocks nothing: the units are never fetched again.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { previewModule } from "../../module-api.js";
import { header } from "../module.js";
import { createQuizPlayer } from "./quiz.js";
import { renderUnits } from "./units.js";

function banner(moduleId) {
  return h(
    "div",
    { class: "preview-banner", role: "note", "data-testid": "preview-banner" },
    h("p", { "data-testid": "preview-banner-text" }, t("module.preview.banner")),
    h("p", { class: "muted" }, t("module.preview.hint")),
    h("a", { href: `/modules/${moduleId}`, "data-testid": "preview-back" }, t("module.preview.back")),
  );
}

export async function modulePreviewPage({ params }) {
  const moduleId = Number(params.moduleId);
  const module = await previewModule(moduleId);
  const error = errorLine("module-error");
  const list = h("ol", { class: "unit-list", "data-testid": "unit-list" });
  const stage = h("div", { class: "quiz-stage" });
  const progress = h(
    "p",
    { class: "module-progress", role: "status", "data-testid": "module-progress" },
    t("module.progress", { done: 0, count: module.units.length }),
  );

  async function onOpenQuiz(unit) {
    const answer = await attempt(error, () => createQuizPlayer(unit.quiz_id, unit.title, () => {}, { preview: true }));
    if (!answer) return;
    stage.replaceChildren(answer.value);
    answer.value.scrollIntoView({ block: "nearest" });
  }

  // Opening a reading only opens its link: a preview records no progress.
  renderUnits(list, module.units, { onOpenReading: () => {}, onOpenQuiz });
  return h(
    "section",
    { class: "course-page module-page module-preview", "data-testid": "module-preview" },
    banner(moduleId),
    header(module),
    h("section", { class: "course-section" }, h("h2", {}, t("module.units")), progress, error, list),
    stage,
  );
}
