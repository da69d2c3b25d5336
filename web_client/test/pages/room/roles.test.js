import assert from "node:assert/strict";
import { test } from "node:test";

import { isEducator, mayDraw, mayPresent } from "../../../src/pages/room/roles.js";

/** @param {"educator" | "student"} role @param {boolean} presenter @param {boolean} locked */
const state = (role, presenter, locked) => ({ you: { role, presenter }, locks: { annotations: locked } });

test("educators present and draw; presenters too; students draw only while annotations are unlocked", () => {
  assert.deepEqual(
    [
      state("educator", false, true),
      state("student", true, true),
      state("student", false, true),
      state("student", false, false),
    ].map((s) => [isEducator(s), mayPresent(s), mayDraw(s)]),
    [
      [true, true, true],
      [false, true, true],
      [false, false, false],
      [false, false, true],
    ],
  );
});
