import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { groupDestination, groupLabel, secondsLeft } from "../../src/room/breakout.js";
import { applyEvent } from "../../src/room/state.js";

/** @type {any} */
const view = {
  id: 3,
  lecture_id: 7,
  mode: "random",
  record: false,
  ends_at: "2026-12-06T02:10:00+00:00",
  groups: [
    { number: 1, name: "1", lecture_id: 70, members: [{ user_id: 2, name: "Badr" }] },
    { number: 2, name: "Red", lecture_id: 71, members: [{ user_id: 3, name: "Dana" }] },
  ],
};

/** @param {number} you @param {"educator" | "student"} role @param {number} [lecture] */
function room(you, role, lecture = 7) {
  const snapshot = {
    lecture: { id: lecture, title: "Intro", status: "live", course_id: 1 },
    you: { id: you, name: "x", role, presenter: false, muted: false },
    roster: [],
    decks: [],
    slide: { deck_id: 1, page: 1 },
    annotations: [],
    chat: [],
    hands: [],
    poll: null,
    locks: { chat: false, annotations: true, room: false },
    recording: false,
    media: { invited: [], meeting: false },
    breakout: null,
  };
  return /** @type {any} */ (applyEvent(null, "room:state", snapshot));
}

describe("breakout rooms", () => {
  test("a student in the lecture is sent to their group's room, and stays there", () => {
    const started = applyEvent(room(2, "student"), "breakout:started", view);
    assert.deepEqual(started?.breakout?.yours, { number: 1, name: "1", lecture_id: 70 });
    assert.equal(groupDestination(/** @type {any} */ (started)), "/lectures/70");
    const inGroup = applyEvent(room(2, "student", 70), "breakout:started", view);
    assert.equal(groupDestination(/** @type {any} */ (inGroup)), null);
  });

  test("educators and students without a group stay; a move sends the student on", () => {
    const visiting = applyEvent(room(1, "educator"), "breakout:started", view);
    assert.equal(groupDestination(/** @type {any} */ (visiting)), null);
    const outside = applyEvent(room(9, "student"), "breakout:started", view);
    assert.equal(groupDestination(/** @type {any} */ (outside)), null);
    const inGroup = applyEvent(room(2, "student", 70), "breakout:started", view);
    const moved = applyEvent(inGroup, "breakout:yours", { group: { number: 2, name: "Red", lecture_id: 71 } });
    assert.equal(groupDestination(/** @type {any} */ (moved)), "/lectures/71");
  });

  test("the end and the broadcast", () => {
    const started = applyEvent(room(2, "student", 70), "breakout:started", view);
    const told = applyEvent(started, "breakout:notice", { text: "5 min", from: { id: 1, name: "Amal" } });
    assert.equal(told?.breakoutNotice?.text, "5 min");
    const late = applyEvent(told, "breakout:ended", { breakout_id: 2, lecture_id: 7 });
    assert.equal(late?.breakout?.id, 3, "an earlier breakout's end leaves this one open");
    const ended = applyEvent(told, "breakout:ended", { breakout_id: 3, lecture_id: 7 });
    assert.equal(ended?.breakout, null);
    assert.equal(ended?.breakoutNotice, null);
  });

  test("numbered groups are named by their number; time left never goes negative", () => {
    assert.equal(groupLabel(view.groups[0], (n) => `Group ${n}`), "Group 1");
    assert.equal(groupLabel(view.groups[1], (n) => `Group ${n}`), "Red");
    assert.equal(secondsLeft(view, Date.parse("2026-12-06T02:09:00Z")), 60);
    assert.equal(secondsLeft(view, Date.parse("2026-12-06T03:00:00Z")), 0);
  });
});
