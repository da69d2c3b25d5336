import assert from "node:assert/strict";
import { test } from "node:test";

import { JOIN_EARLY_MS, meetingState } from "../../../src/pages/office-hours/api.js";

const booking = {
  status: "booked",
  join_url: "/lectures/9/room",
  starts_at: "2026-05-01T10:00:00Z",
  ends_at: "2026-05-01T10:20:00Z",
};
const at = (/** @type {string} */ iso) => Date.parse(iso);

test("the room opens ten minutes before the slot and closes at its end", () => {
  assert.equal(JOIN_EARLY_MS, 10 * 60_000);
  assert.equal(meetingState(booking, at("2026-05-01T09:49:59Z")), "early");
  assert.equal(meetingState(booking, at("2026-05-01T09:50:00Z")), "open");
  assert.equal(meetingState(booking, at("2026-05-01T10:20:00Z")), "open");
  assert.equal(meetingState(booking, at("2026-05-01T10:20:01Z")), "over");
});

test("a cancelled booking, or one without a room, is over", () => {
  const now = at("2026-05-01T10:05:00Z");
  assert.equal(meetingState({ ...booking, status: "cancelled" }, now), "over");
  assert.equal(meetingState({ ...booking, join_url: null }, now), "over");
});
