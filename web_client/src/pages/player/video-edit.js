// The educator's edit form for a video (title, description, tags, visibility) and its delete
// button, which asks first and then goes back to the course.

import { deleteVideo, updateVideo } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button, control, field } from "../../ui.js";

const VISIBILITIES = ["course", "public", "private"];

// "a, b ,, c" → ["a", "b", "c"]
const parseTags = (text) =>
  text
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);

export function createVideoEdit(video, onSaved) {
  const error = errorLine("video-edit-error");
  const status = h("p", { class: "muted", role: "status" });
  const visibility = h(
    "select",
    { id: "video-visibility", name: "visibility" },
    ...VISIBILITIES.map((v) => h("option", { value: v }, t(`video.visibility.${v}`))),
  );
  visibility.value = video.visibility;
  const description = h("textarea", {
    id: "video-description",
    name: "description",
    rows: 4,
    maxlength: 10000,
    dir: "auto",
  });
  description.value = video.description;
  const save = h("button", { type: "submit", class: "button primary" }, t("video.edit.save"));
  const remove = button(
    "video-delete",
    t("video.delete"),
    async () => {
      if (!window.confirm(t("video.delete.confirm", { title: video.title }))) return;
      remove.disabled = true;
      const deleted = await attempt(error, () => deleteVideo(video.id));
      remove.disabled = false;
      if (deleted) location.assign(`/courses/${video.course_id}`);
    },
    { class: "button danger" },
  );
  const form = h(
    "form",
    { class: "card inline-form", "data-testid": "video-edit" },
    h("h2", {}, t("video.edit.heading")),
    field(
      "video-edit-title",
      t("video.field.title"),
      h("input", {
        id: "video-edit-title",
        name: "title",
        required: true,
        maxlength: 200,
        dir: "auto",
        value: video.title,
      }),
    ),
    field("video-description", t("video.field.description"), description),
    field(
      "video-tags",
      t("video.field.tags"),
      h("input", {
        id: "video-tags",
        name: "tags",
        dir: "auto",
        value: video.tags.join(", "),
        "aria-describedby": "video-tags-hint",
      }),
    ),
    h("p", { id: "video-tags-hint", class: "muted hint" }, t("video.field.tagsHint")),
    field("video-visibility", t("video.field.visibility"), visibility),
    error,
    status,
    h("div", { class: "form-actions" }, save, remove),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [title, tags] = ["title", "tags"].map((name) => control(form, name));
    const changes = {
      title: title.value.trim(),
      description: description.value,
      tags: parseTags(tags.value),
      visibility: visibility.value,
    };
    save.disabled = true;
    status.textContent = "";
    const saved = await attempt(error, () => updateVideo(video.id, changes));
    save.disabled = false;
    if (!saved) return;
    status.textContent = t("video.edit.saved");
    onSaved(saved.value);
  });

  return form;
}
