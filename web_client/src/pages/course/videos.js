// The course's videos: search by title, filter by tag, and a card per video. The course's
// educators also upload here.

import { listVideos } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { videoCard } from "./video-card.js";
import { createVideoUpload } from "./video-upload.js";

export function createVideos({ courseId, manages, signal }, initial) {
  const error = errorLine("video-list-error");
  const grid = h("div", { class: "video-list", "data-testid": "video-list" });
  const partial = h("p", { class: "muted" });
  const q = h("input", {
    type: "search",
    name: "q",
    maxlength: 100,
    dir: "auto",
    "aria-label": t("video.search"),
    placeholder: t("video.search"),
    "data-testid": "video-search",
  });
  const tag = h("input", {
    type: "search",
    name: "tag",
    maxlength: 40,
    dir: "auto",
    "aria-label": t("video.tag"),
    placeholder: t("video.tag"),
    "data-testid": "video-tag",
  });
  const filters = h(
    "form",
    { class: "video-filters", role: "search" },
    q,
    tag,
    h("button", { type: "submit", class: "button" }, t("video.search.submit")),
  );

  function show({ items, total }) {
    const filtered = Boolean(q.value.trim() || tag.value.trim());
    grid.replaceChildren(
      ...(items.length
        ? items.map((video) => videoCard(video, signal))
        : [h("p", { class: "empty" }, t(filtered ? "video.list.noMatch" : "video.list.empty"))]),
    );
    partial.hidden = items.length >= total;
    partial.textContent = t("video.list.partial", { shown: items.length, count: total });
  }

  async function reload() {
    const filter = { courseId, q: q.value.trim(), tag: tag.value.trim() };
    const answer = await attempt(error, () => listVideos(filter));
    if (answer) show(answer.value);
  }

  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    reload();
  });

  show(initial);
  return h(
    "section",
    { class: "course-section videos" },
    h("h2", {}, t("course.videos")),
    manages && createVideoUpload(courseId, reload),
    filters,
    error,
    grid,
    partial,
  );
}
