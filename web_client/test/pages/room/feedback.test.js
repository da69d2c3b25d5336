import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../../../src/api.js";
import { describeRoomError } from "../../../src/pages/room/feedback.js";
import { RoomError } from "../../../src/room/client.js";

test("our words for known codes, counted seconds for rate limiting, else the server's", () => {
  assert.equal(describeRoomError(new RoomError("locked", "x")), "This is locked by the educator.");
  assert.equal(describeRoomError(new RoomError("rate_limited", "x", { retry_after: 0.2 })), "Too fast: try again in 1 second.");
  assert.equal(describeRoomError(new RoomError("rate_limited", "x", { retry_after: 2.5 })), "Too fast: try again in 3 seconds.");
  assert.equal(describeRoomError(new RoomError("strange", "What the server said")), "What the server said");
  assert.equal(describeRoomError(new ApiError(403, "forbidden", "no")), "You may not do this.");
});
