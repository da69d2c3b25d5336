// Beside the video: its chapters (a recorded lecture's start at each slide change, titled from
// the slide's text, until its educators edit them; an upload has those its educators wrote),
// and for a recorded lecture the slide that was showing with the annotations it had at that
// moment and the public chat up to the playback time.
// A recorded lecture's come from its timeline.json, written when the recording was processed;
// an upload's from the chapters route. The chapters also go to the <video> as a WebVTT
// chapters track, for players that list them, and the live captions (if anyone captioned) as a
// captions track, off until the viewer turns them on.

import { listChapters } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { formatDuration } from "../../time.js";
import { paint } from "../room/paint.js";


async function loadTimeline(videoId, signal) {
  const response = await fetch(`/vod/${videoId}/timeline.json`, { credentials: "same-origin", signal });
  if (!response.ok) return null;
  return response.json();
}

// The annotations on the page showing at `seconds`: what the page had when it was shown
// (its latest `pages` entry), plus what was drawn, undone or cleared on it since.
function annotationsAt(timeline, seconds) {
  const shown = (timeline.pages ?? []).filter((entry) => entry.t <= seconds + 0.05).at(-1);
  if (!shown) return [];
  const onPage = (a) => a.deck_id === shown.deck_id && a.page === shown.page;
  let drawn = [...shown.annotations];
  for (const { t: at, event, data } of timeline.events ?? []) {
    if (at < shown.t || at > seconds + 0.05) continue;
    if (event === "annotation:added" && onPage(data)) drawn.push(data);
    else if (event === "annotation:removed") drawn = drawn.filter((a) => a.id !== data.id);
    else if (event === "annotation:cleared" && onPage(data)) drawn = [];
  }
  return drawn;
}

// The chapter playing at `seconds`: the last one starting at or before it.
function chapterAt(chapters, seconds) {
  let current = 0;
  chapters.forEach((chapter, index) => {
    if (chapter.start <= seconds + 0.05) current = index;
  });
  return current;
}

// The language most caption lines were said in, if they said.
function spokenLanguage(lines) {
  const counts = new Map();
  for (const { data } of lines) if (data?.lang) counts.set(data.lang, (counts.get(data.lang) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function addCaptionsTrack(video, player, timeline) {
  const lines = (timeline.events ?? []).filter((entry) => entry.event === "caption:line");
  if (lines.length === 0) return;
  const lang = spokenLanguage(lines);
  player.append(
    h("track", {
      kind: "captions",
      src: `/vod/${video.id}/hls/captions/captions.vtt`,
      srclang: lang ?? false,
      label: t("player.captions"),
      "data-testid": "captions-track",
    }),
  );
}

// An upload has no replay: only the chapters its educators wrote, if any.
async function timelineOf(video, signal) {
  if (video.lecture_id != null) return loadTimeline(video.id, signal).catch(() => null);
  const { items } = await listChapters(video.id);
  return { chapters: items, chat: [], pages: [], events: [] };
}

export async function createReplay(video, player, signal) {
  const timeline = await timelineOf(video, signal);
  if (timeline) addCaptionsTrack(video, player, timeline);
  if (!timeline || timeline.chapters.length + timeline.chat.length === 0) return null;
  const { chapters, chat } = timeline;
  const slides = chapters.some((chapter) => chapter.deck_id != null);

  if (chapters.length) {
    player.append(h("track", { kind: "chapters", src: `/vod/${video.id}/chapters.vtt`, default: true }));
  }

  const buttons = chapters.map((chapter, index) =>
    h(
      "button",
      { type: "button", class: "chapter", dir: "auto", "data-testid": `chapter-${index + 1}` },
      h("span", { class: "chapter-time" }, formatDuration(Math.floor(chapter.start))),
      " ",
      chapter.title,
    ),
  );
  buttons.forEach((button, index) =>
    button.addEventListener("click", () => {
      player.currentTime = chapters[index].start;
      update();
    }),
  );
  // Inline sizing: the page stylesheet is shared, this panel only needs to fit its column.
  const image = h("img", {
    class: "replay-slide",
    alt: "",
    style: "max-inline-size: 100%; block-size: auto;",
    "data-testid": "replay-slide",
  });
  // The annotations, drawn over the slide at the slide's own pixel size.
  const ink = h("canvas", {
    class: "replay-ink",
    style: "position: absolute; inset: 0; inline-size: 100%; block-size: 100%;",
    "data-testid": "replay-ink",
  });
  const slide = h("div", { style: "position: relative; line-height: 0;" }, image, ink);
  const caption = h("p", { class: "replay-caption", dir: "auto", "data-testid": "replay-slide-title" });
  const messages = h("ol", { class: "replay-chat", "aria-live": "off", "data-testid": "replay-chat" });

  let shownChapter = -1;
  let shownMessages = -1;
  let shownInk = null;
  function draw(seconds) {
    const drawn = annotationsAt(timeline, seconds);
    const key = drawn.map((a) => a.id).join(",") + `@${image.naturalWidth}`;
    if (key === shownInk) return;
    shownInk = key;
    ink.width = image.naturalWidth || 960;
    ink.height = image.naturalHeight || 540;
    ink.dataset.count = String(drawn.length);
    const context = ink.getContext("2d");
    if (context) paint(context, drawn, ink.width, ink.height);
  }
  image.addEventListener("load", () => draw(player.currentTime), { signal });

  function update() {
    const seconds = player.currentTime;
    draw(seconds);
    const index = chapterAt(chapters, seconds);
    if (chapters.length && index !== shownChapter) {
      shownChapter = index;
      const chapter = chapters[index];
      buttons.forEach((button, i) => button.setAttribute("aria-current", i === index ? "true" : "false"));
      caption.textContent = chapter.title;
      image.dataset.page = String(chapter.page);
      image.dataset.deck = String(chapter.deck_id);
      image.hidden = !chapter.image;
      if (chapter.image) {
        image.src = chapter.image;
        image.alt = chapter.title;
      }
    }
    const said = chat.filter((message) => message.t <= seconds + 0.05);
    if (said.length !== shownMessages) {
      shownMessages = said.length;
      messages.replaceChildren(
        ...said.map((message) =>
          h("li", { dir: "auto" }, h("strong", {}, `${message.name ?? ""}: `), message.text ?? ""),
        ),
      );
    }
  }
  for (const event of ["timeupdate", "seeked", "loadedmetadata"]) {
    player.addEventListener(event, update, { signal });
  }
  update();

  return h(
    "aside",
    { class: "replay", "aria-label": t(video.lecture_id != null ? "player.replay" : "player.chapters"), "data-testid": "replay" },
    chapters.length > 0 && h("h2", {}, t("player.chapters")),
    chapters.length > 0 && h("nav", { class: "chapters", "data-testid": "chapters" }, ...buttons),
    slides && h("figure", { class: "replay-figure" }, slide, caption),
    // A lecture where nobody wrote shows no empty chat.
    chat.length > 0 && h("h2", {}, t("player.chat")),
    chat.length > 0 && messages,
  );
}
