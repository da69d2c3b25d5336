// Raised hands in queue order: students raise and lower their own, educators lower anyone's
// (or everyone's at once).

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button, panel } from "./ui.js";

export function createHands(client, feedback) {
  const list = h("ol", { class: "hand-list", "data-testid": "hand-list" });
  const empty = h("p", { class: "muted" }, t("room.hands.empty"));
  const raise = button("hand-raise", t("room.hands.raise"), () => feedback.act(() => client.raiseHand()));
  const lower = button("hand-lower", t("room.hands.lower"), () => feedback.act(() => client.lowerHand()));
  const lowerAll = button("hand-lower-all", t("room.hands.lowerAll"), () =>
    feedback.act(() => client.lowerAllHands()),
  );
  const element = panel("hands-panel", "room.hands.heading", raise, lower, lowerAll, list, empty);

  function item(hand, educator) {
    return h(
      "li",
      { class: "hand-item", "data-testid": "hand-item", "data-user-id": hand.user_id },
      h("bdi", {}, hand.name),
      educator &&
        button(
          "hand-lower",
          t("room.hands.lowerFor"),
          () => feedback.act(() => client.lowerHand(hand.user_id)),
          { "aria-label": t("room.hands.lowerFor.label", { name: hand.name }) },
        ),
    );
  }

  function update(state) {
    const educator = isEducator(state);
    const raised = state.hands.some((hand) => hand.user_id === state.you.id);
    raise.hidden = educator || raised;
    lower.hidden = educator || !raised;
    lowerAll.hidden = !educator || state.hands.length < 2;
    list.replaceChildren(...state.hands.map((hand) => item(hand, educator)));
    empty.hidden = state.hands.length > 0;
  }

  return { element, events: ["hand:queue", "roster:removed"], update };
}
