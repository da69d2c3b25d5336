import assert from "node:assert/strict";
import { test } from "node:test";

import { pause } from "../src/wait.js";

test("pause resolves after the time", async () => {
  const started = performance.now();
  await pause(30, new AbortController().signal);
  assert.ok(performance.now() - started >= 25);
});

test("pause resolves at once when the signal aborts", async () => {
  const controller = new AbortController();
  const started = performance.now();
  const waiting = pause(60_000, controller.signal);
  controller.abort();
  await waiting;
  assert.ok(performance.now() - started < 1000);
});
