// Educators, before or during the lecture: the prepared groups ("plan" mode). Each student of
// the course gets a group or none; saved, the plan is what "Prepared plan" opens.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { getPlan, groupLabel, savePlan } from "../../room/breakout.js";
import { button } from "./ui.js";

const MAX_GROUPS = 50;

export function createPlanEditor(feedback, lectureId, groupCount) {
  const list = h("ul", { class: "breakout-plan-list", "data-testid": "breakout-plan-list" });
  const saved = h("p", { class: "muted", role: "status", "data-testid": "breakout-plan-saved", hidden: true });
  /** Group names by number (a saved plan's own names, else numbers), and each student's group. */
  let names = [];
  /** @type {Map<number, number>} */
  const placed = new Map();
  let students = [];

  const nameOf = (n) => names[n - 1] ?? String(n);
  const label = (n) => groupLabel({ number: n, name: nameOf(n), lecture_id: 0 }, (k) => t("room.breakout.group", { n: k }));

  function render() {
    const total = Math.min(MAX_GROUPS, Math.max(groupCount(), names.length, 1));
    list.replaceChildren(
      ...students.map((s) => {
        const select = h(
          "select",
          { "data-testid": "breakout-plan-group", "aria-label": t("room.breakout.groupFor", { name: s.name }) },
          h("option", { value: "0" }, t("room.breakout.plan.none")),
          ...Array.from({ length: total }, (_, i) =>
            h("option", { value: i + 1, selected: placed.get(s.user_id) === i + 1 }, label(i + 1)),
          ),
        );
        select.addEventListener("change", () => placed.set(s.user_id, Number(select.value)));
        return h("li", { "data-user-id": s.user_id }, h("bdi", {}, s.name), select);
      }),
    );
  }

  const load = button("breakout-plan-edit", t("room.breakout.plan.edit"), () =>
    feedback.act(async () => {
      const plan = await getPlan(lectureId());
      names = plan.groups.map((g) => g.name);
      students = plan.students;
      placed.clear();
      plan.groups.forEach((g, i) => g.user_ids.forEach((id) => placed.set(id, i + 1)));
      render();
      save.hidden = false;
    }),
  );
  const save = button("breakout-plan-save", t("room.breakout.plan.save"), () =>
    feedback.act(async () => {
      const total = Math.min(MAX_GROUPS, Math.max(groupCount(), ...placed.values(), 1));
      const groups = Array.from({ length: total }, (_, i) => ({
        name: nameOf(i + 1),
        user_ids: [...placed].filter(([, n]) => n === i + 1).map(([id]) => id),
      }));
      await savePlan(lectureId(), groups);
      saved.hidden = false;
      saved.textContent = t("room.breakout.plan.saved", { count: groups.length });
    }),
    { hidden: true },
  );

  return {
    element: h("div", { class: "breakout-plan", "data-testid": "breakout-plan" }, load, list, save, saved),
    // The number of groups changed: offer that many.
    refresh: () => students.length && render(),
  };
}
