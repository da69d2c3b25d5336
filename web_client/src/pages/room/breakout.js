// Breakout rooms in the room page. Educators: a form to split the class (how many groups, how,
// for how long, recorded or not), then each group with its members and a Join button to move
// between the rooms, a message to every group, and End. Students: their group (or, when they
// choose, the groups to pick from), the time left and the educator's messages. A student is
// taken to their group's room, and everyone in a group's room back to the lecture at the end.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import {
  broadcastToGroups,
  chooseGroup,
  endBreakout,
  groupDestination,
  groupLabel,
  moveToGroup,
  secondsLeft,
  startBreakout,
} from "../../room/breakout.js";
import { createBreakoutHistory } from "./breakout-history.js";
import { createPlanEditor } from "./breakout-plan.js";
import { isEducator } from "./roles.js";
import { button, panel } from "./ui.js";

const MODES = ["random", "assigned", "choose", "plan"];

const label = (group) => groupLabel(group, (n) => t("room.breakout.group", { n }));

function clock(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

function field(key, input) {
  return h("label", { class: "breakout-field" }, h("span", {}, t(key)), input);
}

export function createBreakout(client, feedback, go = (path) => location.assign(path)) {
  const count = h("input", { type: "number", min: 1, max: 50, value: 2, "data-testid": "breakout-count" });
  const minutes = h("input", { type: "number", min: 1, max: 240, value: 10, "data-testid": "breakout-minutes" });
  const mode = h(
    "select",
    { "data-testid": "breakout-mode" },
    ...MODES.map((m) => h("option", { value: m }, t(`room.breakout.mode.${m}`))),
  );
  const record = h("input", { type: "checkbox", "data-testid": "breakout-record" });
  // "assigned": the educator puts each student present into a group (kept while the form lives).
  /** @type {Map<number, number>} */
  const assignment = new Map();
  const assignList = h("ul", { class: "breakout-assign", "data-testid": "breakout-assign" });
  const groupCount = () => Math.min(50, Math.max(1, Number(count.value) || 1));
  const spec = () => {
    if (mode.value === "plan") return { mode: "plan", minutes: Number(minutes.value), record: record.checked };
    if (mode.value !== "assigned") {
      return { mode: mode.value, minutes: Number(minutes.value), count: groupCount(), record: record.checked };
    }
    const groups = Array.from({ length: groupCount() }, (_, i) => ({
      name: String(i + 1),
      user_ids: [...assignment].filter(([, n]) => n === i + 1).map(([id]) => id),
    }));
    return { mode: "assigned", minutes: Number(minutes.value), groups, record: record.checked };
  };
  const start = button("breakout-start", t("room.breakout.start"), () =>
    feedback.act(() => startBreakout(client, /** @type {any} */ (spec()))),
  );
  const plan = createPlanEditor(feedback, () => state.lecture.id, groupCount);
  const form = h(
    "div",
    { class: "breakout-form", "data-testid": "breakout-form" },
    field("room.breakout.count", count),
    field("room.breakout.mode", mode),
    field("room.breakout.minutes", minutes),
    assignList,
    plan.element,
    h("label", { class: "breakout-check" }, record, h("span", {}, t("room.breakout.record"))),
    start,
  );
  mode.addEventListener("change", () => state && update(state));
  count.addEventListener("change", () => (plan.refresh(), state && update(state)));

  function groupChoice(testId, chosen, options, onChange, name) {
    const select = h(
      "select",
      { "data-testid": testId, "aria-label": t("room.breakout.groupFor", { name }) },
      ...options.map(([value, text]) => h("option", { value, selected: value === chosen }, text)),
    );
    select.addEventListener("change", () => onChange(Number(select.value)));
    return select;
  }

  // Each student present, with the group the educator puts them in (dealt round first).
  function renderAssignment(next) {
    const students = next.roster.filter((p) => p.role === "student");
    const total = groupCount();
    const options = Array.from({ length: total }, (_, i) => [i + 1, label({ number: i + 1, name: String(i + 1) })]);
    assignList.replaceChildren(
      ...students.map((p, index) => {
        const chosen = Math.min(assignment.get(p.id) ?? (index % total) + 1, total);
        assignment.set(p.id, chosen);
        const pick = groupChoice("breakout-assign-group", chosen, options, (n) => assignment.set(p.id, n), p.name);
        return h("li", { "data-user-id": p.id }, h("bdi", {}, p.name), pick);
      }),
    );
    for (const id of [...assignment.keys()]) {
      if (!students.some((p) => p.id === id)) assignment.delete(id);
    }
  }

  const yours = h("p", { class: "breakout-yours", role: "status", "data-testid": "breakout-yours" });
  const timer = h("p", { class: "breakout-timer", "data-testid": "breakout-timer" });
  const notice = h("p", { class: "breakout-notice", role: "status", "data-testid": "breakout-notice" });
  const groups = h("ul", { class: "breakout-groups", "data-testid": "breakout-groups" });
  const main = button("breakout-main", t("room.breakout.main"), () => known && go(`/lectures/${known.main}`));
  const message = h("input", {
    type: "text",
    maxlength: 500,
    "data-testid": "breakout-message",
    "aria-label": t("room.breakout.broadcast"),
    placeholder: t("room.breakout.broadcast"),
  });
  const send = button("breakout-send", t("room.breakout.send"), () => {
    const text = message.value.trim();
    if (text) feedback.act(async () => (await broadcastToGroups(client, text), (message.value = "")));
  });
  const broadcast = h("div", { class: "breakout-broadcast" }, message, send);
  const end = button("breakout-end", t("room.breakout.end"), () => feedback.act(() => endBreakout(client)));
  const running = h("div", { class: "breakout-running" }, yours, timer, notice, groups, main, broadcast, end);
  const history = createBreakoutHistory(
    feedback,
    () => state.lecture.id,
    () => state.decks,
  );
  const element = panel("breakout-panel", "room.breakout.heading", form, running, history.element);
  element.setAttribute("data-testid", "breakout-panel");

  /** What the last breakout seen said: the lecture it split, and whether this is a group's room. */
  let known = null;
  let ticking = 0;
  let state = null;
  let leavingTo = null;

  client.on("breakout:ended", ({ lecture_id }) => {
    if (known?.groupRoom) go(`/lectures/${lecture_id}`); // back to the main room
  });

  function groupItem(group, educator, breakout) {
    const here = breakout.here?.lecture_id === group.lecture_id;
    const choosing = !educator && breakout.mode === "choose";
    return h(
      "li",
      { class: "breakout-group", "data-testid": "breakout-group", "data-lecture-id": group.lecture_id },
      h("strong", { dir: "auto" }, label(group)),
      educator
        ? memberList(group, breakout)
        : h(
            "span",
            { class: "muted", dir: "auto" },
            group.members.length ? group.members.map((m) => m.name).join(", ") : t("room.breakout.empty"),
          ),
      educator && !here && button("breakout-join", t("room.breakout.join"), () => go(`/lectures/${group.lecture_id}`), {
        "aria-label": t("room.breakout.join.label", { name: label(group) }),
      }),
      choosing &&
        breakout.yours?.lecture_id !== group.lecture_id &&
        button("breakout-choose", t("room.breakout.choose"), () => feedback.act(() => chooseGroup(client, group.number)), {
          "aria-label": t("room.breakout.choose.label", { name: label(group) }),
        }),
    );
  }

  // Educators: each member, and a choice of group that moves them there.
  function memberList(group, breakout) {
    if (!group.members.length) return h("span", { class: "muted" }, t("room.breakout.empty"));
    const options = breakout.groups.map((g) => [g.number, label(g)]);
    return h(
      "ul",
      { class: "breakout-members" },
      ...group.members.map((m) =>
        h(
          "li",
          { "data-user-id": m.user_id },
          h("bdi", {}, m.name),
          groupChoice("breakout-move", group.number, options, (n) => {
            if (n !== group.number) feedback.act(() => moveToGroup(client, m.user_id, n));
          }, m.name),
        ),
      ),
    );
  }

  function tick() {
    if (state?.breakout) timer.textContent = t("room.breakout.endsIn", { time: clock(secondsLeft(state.breakout)) });
  }

  function update(next) {
    state = next;
    const breakout = next.breakout;
    const educator = isEducator(next);
    if (breakout) known = { main: breakout.lecture_id, groupRoom: Boolean(breakout.here) };
    const destination = groupDestination(next);
    if (destination && destination !== leavingTo) {
      leavingTo = destination;
      yours.textContent = t("room.breakout.moving", { name: label(breakout.yours) });
      go(destination);
    }
    element.hidden = !educator && !breakout;
    form.hidden = !educator || Boolean(breakout) || Boolean(known?.groupRoom);
    assignList.hidden = mode.value !== "assigned";
    plan.element.hidden = mode.value !== "plan";
    if (!form.hidden && mode.value === "assigned") renderAssignment(next);
    running.hidden = !breakout;
    history.element.hidden = form.hidden;
    if (!breakout) {
      clearInterval(ticking);
      ticking = 0;
      return;
    }
    if (!destination) {
      yours.hidden = !breakout.yours && !breakout.here;
      const group = breakout.here ?? breakout.yours;
      yours.textContent = group ? t(educator ? "room.breakout.visiting" : "room.breakout.yours", { name: label(group) }) : "";
    }
    notice.hidden = !next.breakoutNotice;
    notice.textContent = next.breakoutNotice
      ? t("room.breakout.notice", { name: next.breakoutNotice.from.name, text: next.breakoutNotice.text })
      : "";
    groups.replaceChildren(...breakout.groups.map((g) => groupItem(g, educator, breakout)));
    groups.hidden = !educator && breakout.mode !== "choose";
    main.hidden = !breakout.here || !educator; // a student belongs in their group
    broadcast.hidden = !educator;
    end.hidden = !educator;
    tick();
    if (!ticking) ticking = window.setInterval(tick, 1000);
  }

  return {
    element,
    events: [
      "breakout:started",
      "breakout:groups",
      "breakout:yours",
      "breakout:notice",
      "breakout:ended",
      "roster:joined",
      "roster:left",
    ],
    update,
  };
}
