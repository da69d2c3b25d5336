import assert from "node:assert/strict";
import { test } from "node:test";

import { formatClock, parseClock } from "../../../src/pages/player/clock.js";

test("times are read as people write them", () => {
  assert.equal(parseClock("1:05"), 65);
  assert.equal(parseClock(" 1:02:03.5 "), 3723.5);
  assert.equal(parseClock("65"), 65);
  assert.equal(parseClock("0:00"), 0);
  for (const bad of ["", "1:60", "1:75:00", "abc", "-5", "1:5:3:2"]) {
    assert.equal(parseClock(bad), null, bad);
  }
});

test("times are written back so they read the same", () => {
  assert.equal(formatClock(65), "1:05");
  assert.equal(formatClock(3723.5), "1:02:03.50");
  assert.equal(formatClock(0), "0:00");
  for (const seconds of [0, 7.25, 65, 3599, 3723.5]) assert.equal(parseClock(formatClock(seconds)), seconds);
});
