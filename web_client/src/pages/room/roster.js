// Who is in the room, and the educator's moderation of students: presenter, mute, removal.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button, panel } from "./ui.js";

export function createRoster(client, feedback) {
  const list = h("ul", { class: "roster", "data-testid": "roster" });
  const element = panel("roster-panel", "room.roster.heading", list);

  function moderation(p, state) {
    const presenter = button(
      "make-presenter",
      t(p.presenter ? "room.roster.unmakePresenter" : "room.roster.makePresenter"),
      () => feedback.act(() => client.setPresenter(p.id, !p.presenter)),
    );
    const mute = button("mute-participant", t(p.muted ? "room.roster.unmute" : "room.roster.mute"), () =>
      feedback.act(() => client.mute(p.id, !p.muted)),
    );
    const remove = button("remove-participant", t("room.roster.remove"), () => {
      if (window.confirm(t("room.roster.confirmRemove", { name: p.name }))) {
        feedback.act(() => client.remove(p.id));
      }
    });
    const invited = (state.media?.invited ?? []).includes(p.id);
    const speak = button("invite-speak", t(invited ? "room.roster.revokeSpeak" : "room.roster.inviteSpeak"), () =>
      feedback.act(() => (invited ? client.revokeSpeaking(p.id) : client.inviteToSpeak(p.id))),
    );
    return h("div", { class: "roster-actions" }, presenter, mute, speak, remove);
  }

  function item(p, state) {
    const you = p.id === state.you.id;
    return h(
      "li",
      { class: "roster-item", "data-testid": "roster-item", "data-user-id": p.id },
      h("bdi", { class: "roster-name" }, p.name),
      you && h("span", { class: "badge" }, t("room.roster.you")),
      h("span", { class: "badge" }, t(`role.${p.role}`)),
      p.presenter && h("span", { class: "badge accent" }, t("room.roster.presenter")),
      p.muted && h("span", { class: "badge" }, t("room.roster.muted")),
      (state.media?.invited ?? []).includes(p.id) && h("span", { class: "badge" }, t("room.roster.invited")),
      state.speaking === p.id && h("span", { class: "badge accent", "data-testid": "speaking-badge" }, t("room.roster.speaking")),
      isEducator(state) && p.role === "student" && moderation(p, state),
    );
  }

  function update(state) {
    list.replaceChildren(...state.roster.map((p) => item(p, state)));
  }

  const events = [
    "roster:joined",
    "roster:left",
    "roster:updated",
    "roster:removed",
    "media:permissions",
    "media:speaking",
  ];
  return { element, events, update };
}
