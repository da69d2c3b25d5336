import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { formatDateTime, formatDuration, zonedToIso } from "../src/time.js";

describe("zonedToIso", () => {
  test("a wall-clock time in the zone, with the zone's offset then", () => {
    assert.equal(zonedToIso("2026-12-01T18:00", "Asia/Hebron"), "2026-12-01T18:00:00+02:00");
    assert.equal(zonedToIso("2026-07-01T18:00", "Asia/Hebron"), "2026-07-01T18:00:00+03:00");
    assert.equal(zonedToIso("2026-07-01T09:05", "UTC"), "2026-07-01T09:05:00+00:00");
    assert.equal(zonedToIso("2026-01-15T09:30", "America/St_Johns"), "2026-01-15T09:30:00-03:30");
  });

  test("next to a daylight-saving change the offset is the one at that time", () => {
    // Europe/Berlin goes to summer time at 02:00 on 29 March 2026.
    assert.equal(zonedToIso("2026-03-29T01:30", "Europe/Berlin"), "2026-03-29T01:30:00+01:00");
    assert.equal(zonedToIso("2026-03-29T03:30", "Europe/Berlin"), "2026-03-29T03:30:00+02:00");
  });
});

describe("formatDuration", () => {
  test("minutes and seconds, hours when there are any", () => {
    assert.equal(formatDuration(75.4), "1:15");
    assert.equal(formatDuration(3725), "1:02:05");
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(59.6), "1:00");
  });
});

describe("formatDateTime", () => {
  test("the instant in the given zone, in the page language (English here)", () => {
    const text = formatDateTime("2026-03-12T16:00:00Z", "Asia/Hebron");
    assert.match(text, /12 Mar 2026|Mar 12, 2026/);
    assert.match(text, /6:00\s?PM|18:00/);
  });
});
