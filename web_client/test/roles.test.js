import assert from "node:assert/strict";
import { test } from "node:test";

import { managesCourse } from "../src/roles.js";

test("a course's educators and any admin manage it; its students and others do not", () => {
  assert.equal(managesCourse({ my_role: "educator" }, { role: "educator" }), true);
  assert.equal(managesCourse({ my_role: null }, { role: "admin" }), true);
  assert.equal(managesCourse({ my_role: "student" }, { role: "student" }), false);
  assert.equal(managesCourse({ my_role: null }, { role: "educator" }), false, "an educator of another course");
});
