// Paints annotations (normalised 0..1 coordinates, width as a fraction of the page width) on a
// canvas 2D context of `width` × `height` pixels.

const HIGHLIGHTER_ALPHA = 0.35;
const MIN_FONT_PX = 8;
// A text whose first letter is of a right-to-left script is written leftwards from its point.
const RIGHT_TO_LEFT = /^\P{L}*[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

/** @typedef {import("../../room/state.js").Annotation} Annotation */

/**
 * @param {CanvasRenderingContext2D} context
 * @param {[number, number][]} points
 * @param {number} width
 * @param {number} height
 */
function stroke(context, points, width, height) {
  context.beginPath();
  points.forEach(([x, y], i) => {
    if (i === 0) context.moveTo(x * width, y * height);
    context.lineTo(x * width, y * height); // a lone point still shows as a round dot
  });
  context.stroke();
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Annotation} annotation
 * @param {number} width
 * @param {number} height
 */
function paintOne(context, annotation, width, height) {
  const { kind, points, color } = annotation;
  context.save();
  context.strokeStyle = color;
  context.fillStyle = color;
  context.lineWidth = Math.max(1, annotation.width * width);
  context.lineCap = "round";
  context.lineJoin = "round";
  if (kind === "highlighter") context.globalAlpha = HIGHLIGHTER_ALPHA;
  if (kind === "rectangle") {
    const [[x1, y1], [x2, y2]] = points;
    context.strokeRect(x1 * width, y1 * height, (x2 - x1) * width, (y2 - y1) * height);
  } else if (kind === "text") {
    const [[x, y]] = points;
    context.font = `${Math.max(MIN_FONT_PX, annotation.width * width)}px system-ui, sans-serif`;
    context.textBaseline = "top";
    // Set, not inherited from the page: an Arabic and an English viewer see it in one place.
    const text = annotation.text ?? "";
    context.direction = RIGHT_TO_LEFT.test(text) ? "rtl" : "ltr";
    context.textAlign = "start";
    context.fillText(text, x * width, y * height);
  } else {
    stroke(context, points, width, height);
  }
  context.restore();
}

/**
 * @param {CanvasRenderingContext2D} context
 * @param {Annotation[]} annotations
 * @param {number} width
 * @param {number} height
 */
export function paint(context, annotations, width, height) {
  context.clearRect(0, 0, width, height);
  for (const annotation of annotations) paintOne(context, annotation, width, height);
}
