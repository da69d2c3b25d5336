import assert from "node:assert/strict";
import { test } from "node:test";

import { LICENCES, describeProblem, toPercent, toShare } from "../../../src/pages/course/module-settings.js";

test("the threshold typed as a percent is sent as a share, and shown back as the same percent", () => {
  assert.equal(toShare(80), 0.8);
  assert.equal(toShare(100), 1);
  assert.equal(toShare(7), 0.07);
  for (const percent of [1, 7, 29, 57, 70, 85, 99, 100]) assert.equal(toPercent(toShare(percent)), percent);
});

test("a validation problem names each field the server found wrong, in the page's words", () => {
  const problem = {
    code: "validation_error",
    detail: "The request body does not match the schema",
    errors: [
      { location: ["body"], message: "Value error, an open course needs a licence", type: "value_error" },
      { location: ["body", "mastery_threshold"], message: "Input should be less than or equal to 1", type: "x" },
    ],
  };
  assert.equal(
    describeProblem(problem),
    "The request body does not match the schema: Value error, an open course needs a licence;" +
      " Mastery threshold (%): Input should be less than or equal to 1",
  );
  assert.equal(describeProblem({ code: "validation_error", detail: "an open course needs a licence" }), "an open course needs a licence");
});

test("the licence picker offers the common Creative Commons licences", () => {
  assert.deepEqual(LICENCES, ["CC BY 4.0", "CC BY-SA 4.0", "CC BY-NC 4.0", "CC BY-NC-SA 4.0", "CC0 1.0"]);
});
