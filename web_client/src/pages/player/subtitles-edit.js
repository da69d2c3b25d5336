// A video's subtitles for its educators: a WebVTT file per language, added, replaced or
// removed; the player shows them as tracks (after a reload of the page).

import { deleteSubtitles, listSubtitles, putSubtitles } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button, field } from "../../ui.js";

export function createSubtitlesEdit(videoId) {
  const error = errorLine("subtitles-error");
  const list = h("ul", { class: "subtitle-list", "data-testid": "subtitle-list" });
  const language = h("input", {
    id: "subtitle-language",
    name: "language",
    required: true,
    maxlength: "12",
    placeholder: "ar",
    dir: "ltr",
    "data-testid": "subtitle-language",
  });
  const file = h("input", { id: "subtitle-file", type: "file", accept: ".vtt,text/vtt", required: true, "data-testid": "subtitle-file" });
  const form = h(
    "form",
    { class: "card inline-form", "data-testid": "subtitle-form" },
    h("h3", {}, t("subtitles.heading")),
    list,
    field("subtitle-language", t("subtitles.language"), language),
    field("subtitle-file", t("subtitles.file"), file),
    error,
    h("button", { type: "submit", class: "button" }, t("subtitles.add")),
  );
  const show = ({ items }) =>
    list.replaceChildren(
      ...items.map((track) =>
        h(
          "li",
          { "data-testid": "subtitle-item", "data-language": track.language },
          h("bdi", {}, track.language),
          " ",
          button("subtitle-delete", t("subtitles.remove"), async () => {
            const done = await attempt(error, () => deleteSubtitles(videoId, track.language));
            if (done) show(await listSubtitles(videoId));
          }),
        ),
      ),
    );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    const text = await chosen.text();
    const saved = await attempt(error, () => putSubtitles(videoId, language.value.trim(), text));
    if (saved) {
      show(saved.value);
      form.reset();
    }
  });
  listSubtitles(videoId).then(show, () => {});
  return form;
}
