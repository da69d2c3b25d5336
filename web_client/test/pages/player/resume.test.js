import assert from "node:assert/strict";
import { test } from "node:test";

import { startingPoint } from "../../../src/pages/player/resume.js";

test("resume where you stopped, unless that was within 2 s of the end", () => {
  assert.equal(startingPoint(42, 600), 42);
  assert.equal(startingPoint(597.9, 600), 597.9);
  assert.equal(startingPoint(598, 600), 0);
  assert.equal(startingPoint(42, null), 42, "no duration known yet");
});
