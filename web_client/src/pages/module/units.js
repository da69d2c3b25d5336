// A module's units in order: what each is, the student's state in it, and whether it is still
// locked. Unlocked units lead to their video, reading or quiz; the server decides the locks.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { percent } from "./format.js";

function action(unit, { onOpenReading, onOpenQuiz }) {
  if (unit.locked) return h("p", { class: "muted", "data-testid": "unit-locked" }, t("module.unit.lockedHint"));
  if (unit.kind === "video" && unit.video_id != null) {
    return h("a", { class: "button", href: `/videos/${unit.video_id}`, "data-testid": "unit-watch" }, t("module.unit.watch"));
  }
  if (unit.kind === "reading" && unit.reading) {
    const link = h(
      "a",
      {
        class: "button",
        href: unit.reading.url ?? "#",
        target: "_blank",
        rel: "noopener noreferrer",
        "data-testid": "unit-read",
      },
      t("module.unit.read"),
    );
    link.addEventListener("click", () => onOpenReading(unit));
    return link;
  }
  if (unit.kind === "quiz" && unit.quiz_id != null) {
    const open = h("button", { type: "button", class: "button", "data-testid": "unit-quiz" }, t("module.unit.quiz"));
    open.addEventListener("click", () => onOpenQuiz(unit));
    return open;
  }
  return null;
}

function unitItem(unit, handlers) {
  const state = unit.locked ? "locked" : unit.state;
  return h(
    "li",
    { class: `unit card unit-${state}`, "data-testid": "unit", "data-unit-id": unit.id, "data-state": state },
    h(
      "div",
      { class: "badges" },
      h("span", { class: "badge" }, t(`module.kind.${unit.kind}`)),
      h("span", { class: state === "completed" ? "badge accent" : "badge", "data-testid": "unit-state" }, t(`module.state.${state}`)),
      unit.best_score != null && h("span", { class: "badge" }, t("module.unit.best", { score: percent(unit.best_score) })),
    ),
    h("h3", { dir: "auto", "data-testid": "unit-title" }, unit.title),
    unit.kind === "reading" && unit.reading?.licence && h("p", { class: "muted" }, t("module.licence", { licence: unit.reading.licence })),
    action(unit, handlers),
  );
}

export function renderUnits(list, units, handlers) {
  list.replaceChildren(
    ...(units.length ? units.map((unit) => unitItem(unit, handlers)) : [h("li", { class: "empty" }, t("module.noUnits"))]),
  );
}
