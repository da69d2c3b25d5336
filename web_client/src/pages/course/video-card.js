// One video in the course's grid: thumbnail (a placeholder until there is one), title,
// duration and status, linking to its player. A card still processing asks every 2 s and
// redraws itself once the video is ready or has failed.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { untilProcessed } from "../../processing.js";
import { formatDuration } from "../../time.js";

const placeholder = () => h("div", { class: "video-thumb placeholder", "aria-hidden": "true" }, "▶");

function thumbnail(video) {
  if (video.status !== "ready") return placeholder();
  // The stills are made after the video is playable: until then the image is missing.
  const image = h("img", { class: "video-thumb", src: video.thumbnail_url, alt: "", loading: "lazy" });
  image.addEventListener("error", () => image.replaceWith(placeholder()), { once: true });
  return image;
}

export function videoCard(video, signal) {
  const card = h(
    "a",
    {
      class: "card video-card",
      href: `/videos/${video.id}`,
      "data-testid": "video-card",
      "data-status": video.status,
    },
    thumbnail(video),
    h("h3", { class: "video-title", dir: "auto" }, video.title),
    h(
      "p",
      { class: "video-meta" },
      video.duration_seconds != null && h("span", { dir: "ltr" }, formatDuration(video.duration_seconds)),
      video.status !== "ready" &&
        h("span", { class: `badge status-${video.status}` }, t(`video.status.${video.status}`)),
    ),
  );
  if (video.status === "processing") {
    untilProcessed(video.id, signal).then((done) => {
      if (done) card.replaceWith(videoCard(done, signal));
    });
  }
  return card;
}
