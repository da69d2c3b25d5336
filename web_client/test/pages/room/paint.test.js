import assert from "node:assert/strict";
import { test } from "node:test";

import { paint } from "../../../src/pages/room/paint.js";

// A 2D context that records what is drawn and the state each drawing call sees.
function recorder() {
  /** @type {unknown[][]} */
  const calls = [];
  const context = {
    strokeStyle: "",
    fillStyle: "",
    lineWidth: 1,
    lineCap: "",
    lineJoin: "",
    globalAlpha: 1,
    font: "",
    textBaseline: "",
    direction: "",
    textAlign: "",
    save: () => calls.push(["save"]),
    restore: () => calls.push(["restore"]),
    beginPath: () => calls.push(["beginPath"]),
    /** @param {number} x @param {number} y */
    moveTo: (x, y) => calls.push(["moveTo", x, y]),
    /** @param {number} x @param {number} y */
    lineTo: (x, y) => calls.push(["lineTo", x, y]),
    stroke: () => calls.push(["stroke", context.lineWidth, context.globalAlpha]),
    /** @param {number[]} args */
    strokeRect: (...args) => calls.push(["strokeRect", ...args]),
    /** @param {string} text @param {number} x @param {number} y */
    fillText: (text, x, y) => calls.push(["fillText", text, x, y, context.direction, context.font]),
    /** @param {number[]} args */
    clearRect: (...args) => calls.push(["clearRect", ...args]),
  };
  return { calls, context: /** @type {CanvasRenderingContext2D} */ (/** @type {unknown} */ (context)) };
}

/** @typedef {import("../../../src/room/state.js").Annotation} Annotation */

/** @param {Partial<Annotation>} more @returns {Annotation} */
const annotation = (more) => ({
  id: 1,
  deck_id: 1,
  page: 1,
  author_id: 1,
  kind: "pen",
  points: [[0.1, 0.2]],
  color: "#ff0000",
  width: 0.01,
  text: null,
  ...more,
});

test("clears, then paints each annotation scaled to the canvas", () => {
  const { calls, context } = recorder();
  paint(
    context,
    [
      annotation({ points: [[0.1, 0.2], [0.5, 0.5]] }),
      annotation({ kind: "highlighter", points: [[0, 0]], width: 0.02 }),
      annotation({ kind: "rectangle", points: [[0.125, 0.25], [0.625, 0.75]] }),
    ],
    1000,
    500,
  );
  assert.deepEqual(calls, [
    ["clearRect", 0, 0, 1000, 500],
    ["save"], ["beginPath"], ["moveTo", 100, 100], ["lineTo", 100, 100], ["lineTo", 500, 250], ["stroke", 10, 1], ["restore"],
    ["save"], ["beginPath"], ["moveTo", 0, 0], ["lineTo", 0, 0], ["stroke", 20, 0.35], ["restore"],
    ["save"], ["strokeRect", 125, 125, 500, 250], ["restore"],
  ]);
});

test("text is written from its point, right to left when it starts in Arabic", () => {
  const { calls, context } = recorder();
  paint(
    context,
    [
      annotation({ kind: "text", points: [[0.5, 0.5]], text: "مرحبا", width: 0.02 }),
      annotation({ kind: "text", points: [[0.1, 0.1]], text: "Hi", width: 0.001 }),
    ],
    800,
    600,
  );
  const texts = calls.filter((call) => call[0] === "fillText");
  assert.deepEqual(texts, [
    ["fillText", "مرحبا", 400, 300, "rtl", "16px system-ui, sans-serif"],
    ["fillText", "Hi", 80, 60, "ltr", "8px system-ui, sans-serif"],
  ]);
});
