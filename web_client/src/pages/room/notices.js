// What the room says instead of (or above) the live view: the connection banner while the
// socket is (re)connecting, and the notices for "not started", "locked", "ended", "removed" or
// failure.

import { h } from "../../dom.js";
import { language, t } from "../../i18n.js";

export function connectionBanner() {
  const element = h("p", {
    class: "connection-banner",
    role: "status",
    "data-testid": "connection-banner",
    hidden: true,
  });
  return {
    element,
    show(status) {
      element.hidden = status !== "connecting" && status !== "reconnecting";
      element.textContent = t(status === "connecting" ? "room.connecting" : "room.reconnecting");
    },
  };
}

function notice(testId, ...lines) {
  return h("div", { class: "card room-notice", role: "status", "data-testid": testId }, ...lines);
}

export function notStartedNotice(lecture) {
  const when = new Date(lecture.scheduled_start).toLocaleString(language(), {
    dateStyle: "full",
    timeStyle: "short",
  });
  return notice(
    "not-started",
    h("p", {}, t("room.notStarted")),
    h("p", { class: "muted" }, t("room.notStarted.when", { when })),
  );
}

export function lockedNotice() {
  return notice("room-locked", h("p", {}, t("room.locked")));
}

// `way`: where to go next, { href, label } (the course page, or office hours for a meeting).
export const endedNotice = (way) =>
  notice(
    "lecture-ended",
    h("p", {}, t("room.ended")),
    way &&
      h(
        "p",
        {},
        h("a", { class: "button primary", href: way.href, "data-testid": "ended-way-on" }, way.label),
      ),
  );

export const removedNotice = () => notice("removed-notice", h("p", {}, t("room.removed")));

export const failedNotice = (message) => notice("room-failed", h("p", { class: "error" }, message));

// Waiting in the lobby until an educator lets you in (a guest says so by name).
export function lobbyNotice(you) {
  return notice(
    "lobby-waiting",
    h("p", {}, t("room.lobby.waiting")),
    you?.name && h("p", { class: "muted" }, t("room.lobby.waitingAs", { name: you.name })),
  );
}

export const deniedNotice = () => notice("lobby-denied", h("p", {}, t("room.lobby.denied")));
