// A video's chapters for its educators: a start time and a title each, added (at the time the
// player is at), retitled, moved in time or removed, then saved together. A recorded lecture
// starts from its slide-change chapters; the slide beside the video keeps following the
// recording whatever the chapters say.

import { listChapters, putChapters } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button } from "../../ui.js";
import { formatClock, parseClock } from "./clock.js";

function chapterRow(chapter, onRemove) {
  const start = h("input", {
    class: "chapter-start",
    value: formatClock(chapter.start),
    required: true,
    dir: "ltr",
    size: "8",
    "aria-label": t("chapters.start"),
    "data-testid": "chapter-start",
  });
  const title = h("input", {
    class: "chapter-title",
    value: chapter.title,
    required: true,
    maxlength: "200",
    dir: "auto",
    "aria-label": t("chapters.title"),
    "data-testid": "chapter-title",
  });
  const row = h("li", { class: "chapter-row", "data-testid": "chapter-row" }, start, " ", title, " ");
  row.append(button("chapter-remove", t("chapters.remove"), () => onRemove(row)));
  return row;
}

// The rows as the route takes them, in time order; a message for the first bad row instead.
/** @returns {{ start: number, title: string }[] | string} */
function readRows(rows) {
  const chapters = [];
  for (const row of rows) {
    const [start, title] = row.querySelectorAll("input");
    const seconds = parseClock(start.value);
    if (seconds === null) return t("chapters.badTime", { text: start.value });
    chapters.push({ start: seconds, title: title.value.trim() });
  }
  return chapters.sort((a, b) => a.start - b.start);
}

// currentTime(): where the player is, for a new chapter; onSaved(): the player shows the new ones.
export function createChaptersEdit(videoId, { currentTime, onSaved }) {
  const error = errorLine("chapters-error");
  const list = h("ol", { class: "chapter-rows", "data-testid": "chapter-rows" });
  const remove = (row) => row.remove();
  const show = ({ items }) => list.replaceChildren(...items.map((chapter) => chapterRow(chapter, remove)));
  const add = button("chapter-add", t("chapters.addHere"), () => {
    const row = chapterRow({ start: currentTime(), title: "" }, remove);
    list.append(row);
    /** @type {HTMLInputElement | null} */ (row.querySelector("input.chapter-title"))?.focus();
  });
  const form = h(
    "form",
    { class: "card inline-form chapters-edit", "data-testid": "chapters-form" },
    h("h3", {}, t("chapters.heading")),
    h("p", { class: "muted" }, t("chapters.hint")),
    list,
    add,
    error,
    h("button", { type: "submit", class: "button primary", "data-testid": "chapters-save" }, t("chapters.save")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const read = readRows(list.children);
    if (typeof read === "string") {
      error.textContent = read;
      return;
    }
    const saved = await attempt(error, () => putChapters(videoId, read));
    if (!saved) return;
    show(saved.value);
    onSaved();
  });
  listChapters(videoId).then(show, () => {});
  return form;
}
