// Paints annotations (normalised 0..1 coordinates, width as a fraction of the page width) on a
// canvas 2D context of `width` × `height` pixels.

const HIGHLIGHTER_ALPHA = 0.35;
const MIN_FONT_PX = 8;

function stroke(context, points, width, height) {
  context.beginPath();
  points.forEach(([x, y], i) => {
    if (i === 0) context.moveTo(x * width, y * height);
    context.lineTo(x * width, y * height); // a lone point still shows as a round dot
  });
  context.stroke();
}

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
    context.fillText(annotation.text, x * width, y * height);
  } else {
    stroke(context, points, width, height);
  }
  context.restore();
}

export function paint(context, annotations, width, height) {
  context.clearRect(0, 0, width, height);
  for (const annotation of annotations) paintOne(context, annotation, width, height);
}
