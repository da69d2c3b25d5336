// The drawing tools: which tool and colour draw next, undo, clear, and the educator's lock on
// students' annotations. `tools.current()` is what the canvas gestures read.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator, mayDraw, mayPresent } from "./roles.js";
import { button, setToggle } from "./ui.js";

const DRAWING_TOOLS = ["pen", "highlighter", "line", "rectangle", "text"];
const DEFAULT_COLOR = "#d32f2f";

export function createToolbar(client, feedback) {
  let kind = "pen";
  const color = h("input", {
    type: "color",
    value: DEFAULT_COLOR,
    class: "tool-color",
    "data-testid": "tool-color",
    "aria-label": t("room.tool.color"),
  });
  const toolButtons = new Map(
    [...DRAWING_TOOLS, "laser"].map((name) => [
      name,
      button(`tool-${name}`, t(`room.tool.${name}`), () => select(name), { class: "button tool" }),
    ]),
  );
  const undo = button("tool-undo", t("room.tool.undo"), () => feedback.act(() => client.undoAnnotation()));
  const clear = button("tool-clear", t("room.tool.clear"), () => feedback.act(() => client.clearAnnotations()));
  let locked = true;
  const lock = button("lock-annotations", "", () => feedback.act(() => client.lockAnnotations(!locked)));
  const lockedNote = h("p", { class: "muted", "data-testid": "annotations-locked" }, t("room.tool.lockedNote"));
  const tools = h(
    "div",
    { class: "tools", role: "toolbar", "aria-label": t("room.tool.label") },
    ...toolButtons.values(),
    color,
    undo,
    clear,
  );
  const element = h("div", { class: "toolbar" }, tools, lock, lockedNote);

  function select(name) {
    kind = name;
    for (const [toolName, toolButton] of toolButtons) {
      toolButton.setAttribute("aria-pressed", String(toolName === name));
    }
  }
  select(kind);

  function update(state) {
    const presenting = mayPresent(state);
    locked = state.locks.annotations;
    tools.hidden = !mayDraw(state);
    const laserButton = toolButtons.get("laser");
    if (laserButton) laserButton.hidden = !presenting;
    clear.hidden = !presenting;
    if (!presenting && kind === "laser") select("pen");
    lock.hidden = !isEducator(state);
    setToggle(lock, locked, "room.tool.lock", "room.tool.unlock");
    lockedNote.hidden = !tools.hidden;
  }

  return {
    element,
    events: ["room:locks", "roster:updated"],
    update,
    tools: { current: () => ({ kind, color: color.value }) },
  };
}
