import assert from "node:assert/strict";
import { test } from "node:test";

import { percent } from "../../../src/pages/module/format.js";

test("a share as a whole percentage, a dash when there is none", () => {
  assert.equal(percent(0.875), "88%");
  assert.equal(percent(0), "0%");
  assert.equal(percent(1), "100%");
  assert.equal(percent(null), "–");
  assert.equal(percent(undefined), "–");
});
