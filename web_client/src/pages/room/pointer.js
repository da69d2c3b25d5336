// Turns pointer gestures on the slide canvas into annotations (pen, highlighter, line,
// rectangle, text) and laser moves. onDrawing({pending, preview}) gets the shapes to paint
// until the server has them: the one being drawn and those awaiting their ack.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

const WIDTHS = { pen: 0.003, highlighter: 0.02, line: 0.003, rectangle: 0.003, text: 0.03 };
const FREEHAND = new Set(["pen", "highlighter"]);
const MAX_POINTS = 2000;
const MIN_STEP = 0.002; // closer points add nothing visible
const LASER_INTERVAL_MS = 50; // 20 moves a second, under the server's 30
const round = (value) => Math.round(Math.min(1, Math.max(0, value)) * 10000) / 10000;

export function attachPointer(canvas, client, feedback, tools, onDrawing) {
  let enabled = false;
  let shape = null;
  const pending = new Set();
  /** @type {{ shown: boolean, last: number, timer: ReturnType<typeof setTimeout> | undefined, point: [number, number] | null }} */
  const laser = { shown: false, last: 0, timer: undefined, point: null };

  const report = () => onDrawing({ pending: [...pending], preview: shape });

  function at(event) {
    const box = canvas.getBoundingClientRect();
    return [round((event.clientX - box.left) / box.width), round((event.clientY - box.top) / box.height)];
  }

  async function send(annotation) {
    pending.add(annotation);
    report();
    await feedback.act(() => client.addAnnotation(annotation));
    pending.delete(annotation);
    report();
  }

  function sendLaser() {
    laser.timer = undefined;
    if (!laser.point) return;
    laser.last = Date.now();
    laser.shown = true;
    const [x, y] = laser.point;
    feedback.act(() => client.moveLaser(x, y));
  }

  function moveLaser(point) {
    laser.point = point;
    if (laser.timer) return;
    const wait = laser.last + LASER_INTERVAL_MS - Date.now();
    if (wait <= 0) sendLaser();
    else laser.timer = setTimeout(sendLaser, wait);
  }

  function hideLaser() {
    clearTimeout(laser.timer);
    laser.timer = undefined;
    if (!laser.shown) return;
    laser.shown = false;
    feedback.act(() => client.hideLaser());
  }

  function askText(point, color) {
    const input = h("input", {
      class: "text-entry",
      maxlength: 500,
      dir: "auto",
      "aria-label": t("room.tool.textPrompt"),
      "data-testid": "text-entry",
    });
    input.style.left = `${point[0] * 100}%`;
    input.style.top = `${point[1] * 100}%`;
    let closed = false;
    const close = (commit) => {
      if (closed) return;
      closed = true;
      const text = input.value.trim();
      input.remove();
      if (commit && text) send({ kind: "text", points: [point], color, width: WIDTHS.text, text });
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") close(true);
      if (event.key === "Escape") close(false);
    });
    input.addEventListener("blur", () => close(true));
    canvas.parentElement.append(input);
    input.focus();
  }

  canvas.addEventListener("pointerdown", (event) => {
    const { kind, color } = tools.current();
    if (!enabled || event.button !== 0 || kind === "laser" || kind === "text") return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const point = at(event);
    shape = { kind, color, width: WIDTHS[kind], points: FREEHAND.has(kind) ? [point] : [point, point] };
    report();
  });

  canvas.addEventListener("pointermove", (event) => {
    if (!enabled) return;
    const point = at(event);
    if (tools.current().kind === "laser") {
      moveLaser(point);
      return;
    }
    hideLaser();
    if (!shape) return;
    if (!FREEHAND.has(shape.kind)) {
      shape = { ...shape, points: [shape.points[0], point] };
    } else {
      const [x, y] = shape.points.at(-1);
      const far = Math.hypot(point[0] - x, point[1] - y) >= MIN_STEP;
      if (far && shape.points.length < MAX_POINTS) shape = { ...shape, points: [...shape.points, point] };
    }
    report();
  });

  canvas.addEventListener("pointerup", () => {
    const done = shape;
    shape = null;
    if (!done) return;
    const [[x1, y1], [x2, y2] = [x1, y1]] = done.points;
    const moved = FREEHAND.has(done.kind) || x1 !== x2 || y1 !== y2;
    if (moved) send(done);
    else report();
  });

  canvas.addEventListener("pointercancel", () => {
    shape = null;
    report();
  });

  canvas.addEventListener("pointerleave", hideLaser);

  // A click (after the mouse-down has moved the focus) places a text box.
  canvas.addEventListener("click", (event) => {
    const { kind, color } = tools.current();
    if (enabled && kind === "text") askText(at(event), color);
  });

  return {
    setEnabled(on) {
      enabled = on;
      canvas.classList.toggle("drawing", on);
      if (!on && shape) {
        shape = null;
        report();
      }
    },
  };
}
