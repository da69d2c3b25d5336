// The quality menu: "Auto", one entry per level (by index) and "Audio only". Hidden until the
// stream says which qualities it has.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

function levelLabel({ name, height }, index) {
  if (name === "source") return t("player.quality.source", { height });
  if (height) return `${height}p`;
  return name || t("player.quality.level", { n: index + 1 });
}

export function createQualityMenu(onSelect) {
  const select = h("select", { id: "quality-menu", "data-testid": "quality-menu" });
  const element = h(
    "div",
    { class: "quality", hidden: true },
    h("label", { for: "quality-menu" }, t("player.quality")),
    select,
  );
  select.addEventListener("change", () => onSelect(select.value));

  function show(levels, hasAudioOnly) {
    const options = levels.map((level, index) =>
      h("option", { value: index, dir: "ltr" }, levelLabel(level, index)),
    );
    if (hasAudioOnly) options.push(h("option", { value: "audio" }, t("player.quality.audio")));
    select.replaceChildren(h("option", { value: "auto" }, t("player.quality.auto")), ...options);
    select.value = "auto";
    element.hidden = false;
  }

  return { element, show };
}
