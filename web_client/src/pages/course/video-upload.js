// The educator's video upload: a title and a file, sent as one multipart request. The new
// video then shows in the list, processing.

import { uploadVideo } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { describeError, t } from "../../i18n.js";
import { field } from "../../ui.js";

// The general "too large" message names the slide limit; videos have their own.
const describeUploadError = (error) =>
  error.code === "payload_too_large" ? t("video.upload.tooLarge") : describeError(error);

export function createVideoUpload(courseId, onUploaded) {
  const error = errorLine("video-upload-error");
  const status = h("p", { class: "muted", role: "status", "data-testid": "video-upload-status" });
  const title = h("input", {
    id: "video-title",
    name: "title",
    required: true,
    maxlength: 200,
    dir: "auto",
    "data-testid": "video-title",
  });
  const file = h("input", {
    id: "video-file",
    name: "file",
    type: "file",
    accept: "video/*",
    required: true,
    "data-testid": "video-upload",
  });
  const submit = h(
    "button",
    { type: "submit", class: "button primary", "data-testid": "video-upload-submit" },
    t("video.upload.submit"),
  );
  const form = h(
    "form",
    { class: "card inline-form" },
    h("h3", {}, t("video.upload.heading")),
    field("video-title", t("video.field.title"), title),
    field("video-file", t("video.upload.file"), file),
    error,
    status,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return; // the input is required: the browser asks for a file first
    const name = title.value.trim();
    submit.disabled = true;
    status.textContent = t("video.upload.busy", { title: name });
    const uploaded = await attempt(
      error,
      () => uploadVideo(courseId, name, chosen),
      describeUploadError,
    );
    submit.disabled = false;
    status.textContent = uploaded ? t("video.upload.done", { title: name }) : "";
    if (!uploaded) return;
    form.reset();
    await onUploaded();
  });

  return form;
}
