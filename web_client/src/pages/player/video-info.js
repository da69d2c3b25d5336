// What the video is: title, description and tags; redrawn after an edit.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

function render(video) {
  return h(
    "div",
    { class: "video-info" },
    h("h1", { dir: "auto", "data-testid": "video-heading" }, video.title),
    video.tags.length > 0 &&
      h(
        "ul",
        { class: "tags", "aria-label": t("video.field.tags") },
        ...video.tags.map((tag) => h("li", { class: "badge", dir: "auto" }, tag)),
      ),
    video.description && h("p", { class: "video-description", dir: "auto" }, video.description),
  );
}

export function createVideoInfo(video) {
  const element = h("div", {}, render(video));
  return { element, show: (changed) => element.replaceChildren(render(changed)) };
}
