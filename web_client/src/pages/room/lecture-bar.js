// Who you are in this room (role, presenter, muted) and the educator's "end lecture".

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button } from "./ui.js";

export function createLectureBar(client, feedback) {
  const role = h("span", { class: "badge" });
  const presenter = h("span", { class: "badge accent" }, t("room.roster.presenter"));
  const muted = h("span", { class: "badge", "data-testid": "you-muted" }, t("room.you.muted"));
  const end = button(
    "end-lecture",
    t("room.end"),
    () => {
      if (window.confirm(t("room.end.confirm"))) feedback.act(() => client.endLecture());
    },
    { class: "button danger" },
  );
  const badges = h("div", { class: "badges" }, role, presenter, muted);
  const element = h("div", { class: "lecture-bar" }, badges, end);

  function update(state) {
    role.textContent = t(`role.${state.you.role}`);
    presenter.hidden = !state.you.presenter;
    muted.hidden = !state.you.muted;
    end.hidden = !isEducator(state);
  }

  return { element, events: ["roster:updated"], update };
}
