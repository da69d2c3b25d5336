// Who is in the room, and the educator's moderation of students: presenter, mute (one or all),
// captioner, removal, and the lock that keeps newcomers out.
// Educators and presenters also see, per student, whether audio and video really reach them
// (media:reception, measured by the SFU).

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator, mayPresent } from "./roles.js";
import { button, panel, setToggle } from "./ui.js";

// One indicator: "yes" (reaching), "no", or "off" (audio only, their choice).
function indicator(kind, value) {
  const ok = value === "yes";
  return h(
    "span",
    {
      class: `badge reception ${ok ? "reception-ok" : value === "off" ? "" : "reception-bad"}`,
      "data-testid": `reception-${kind}`,
      "data-reaching": value,
      title: t(`room.roster.reception.${kind}.${value}`),
    },
    h("span", { "aria-hidden": "true" }, `${t(`room.roster.reception.${kind}`)} ${ok ? "✓" : value === "off" ? "–" : "✗"}`),
    h("span", { class: "visually-hidden" }, t(`room.roster.reception.${kind}.${value}`)),
  );
}

// What reaches student `p`, for an educator or presenter; nothing while nobody else publishes.
function reception(p, state) {
  const others = (state.tracks ?? []).filter((track) => track.user_id !== p.id && track.forwarded);
  const audio = others.some((track) => track.kind === "audio");
  const video = others.some((track) => track.kind === "video");
  if (!audio && !video) return null;
  const entry = state.reception?.[String(p.id)];
  const link = entry?.state ?? "none";
  return h(
    "span",
    { class: "reception-status", "data-testid": "reception", "data-state": link },
    audio && indicator("audio", entry?.audio ? "yes" : "no"),
    video && indicator("video", entry?.audio_only ? "off" : entry?.video ? "yes" : "no"),
    link !== "connected" && h("span", { class: "badge reception-bad" }, t(`room.roster.reception.${link}`)),
  );
}

export function createRoster(client, feedback) {
  const list = h("ul", { class: "roster", "data-testid": "roster" });
  const muteAll = button("mute-all", t("room.roster.muteAll"), () =>
    feedback.act(() => client.muteAll(true, true)),
  );
  const unmuteAll = button("unmute-all", t("room.roster.unmuteAll"), () =>
    feedback.act(() => client.muteAll(false)),
  );
  let roomLocked = false;
  const lockRoom = button("lock-room", "", () => feedback.act(() => client.lockRoom(!roomLocked)));
  const bulk = h("div", { class: "roster-actions" }, lockRoom, muteAll, unmuteAll);
  const element = panel("roster-panel", "room.roster.heading", bulk, list);

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
    const ask = button("ask-unmute", t("room.roster.askUnmute"), () =>
      feedback.act(() => client.askToUnmute(p.id)),
    );
    const captioning = state.captions.captioners.includes(p.id);
    const caption = button(
      "assign-captioner",
      t(captioning ? "room.roster.unassignCaptioner" : "room.roster.assignCaptioner"),
      () => feedback.act(() => client.assignCaptioner(p.id, !captioning)),
    );
    return h("div", { class: "roster-actions" }, presenter, mute, ask, speak, caption, remove);
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
      state.captions.captioners.includes(p.id) &&
        h("span", { class: "badge", "data-testid": "captioner-badge" }, t("room.roster.captioner")),
      (state.media?.invited ?? []).includes(p.id) && h("span", { class: "badge" }, t("room.roster.invited")),
      state.speaking === p.id && h("span", { class: "badge accent", "data-testid": "speaking-badge" }, t("room.roster.speaking")),
      mayPresent(state) && p.role === "student" && !you && reception(p, state),
      isEducator(state) && p.role === "student" && moderation(p, state),
    );
  }

  function update(state) {
    const students = isEducator(state) ? state.roster.filter((p) => p.role === "student") : [];
    roomLocked = state.locks.room;
    bulk.hidden = !isEducator(state);
    setToggle(lockRoom, roomLocked, "room.roster.lockRoom", "room.roster.unlockRoom");
    muteAll.hidden = students.every((p) => p.muted || p.presenter);
    unmuteAll.hidden = !students.some((p) => p.muted);
    list.replaceChildren(...state.roster.map((p) => item(p, state)));
  }

  const events = [
    "roster:joined",
    "roster:left",
    "roster:updated",
    "roster:muted",
    "room:locks",
    "roster:removed",
    "media:permissions",
    "media:speaking",
    "media:tracks",
    "media:reception",
    "caption:captioners",
  ];
  return { element, events, update };
}
