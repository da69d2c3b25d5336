// Live captions in the room: the overlay over the stage (the last lines and what a captioner
// is typing), each viewer's CC switch (remembered in this browser), and, for the educator and
// assigned captioners, the box captions are typed in. Lines keep their own direction
// (dir="auto"), so Arabic reads right to left whatever the page's language.

import { h } from "../../dom.js";
import { language, t } from "../../i18n.js";
import { mayCaption } from "./roles.js";
import { button, panel, setToggle } from "./ui.js";

const STORAGE_KEY = "qou.captions";
const SHOWN_LINES = 2; // a caption overlay is read at a glance: the line before gives context
const PREVIEW_EVERY_MS = 250; // typing previews: at most 4 a second (the server allows 8)
const MAX_LENGTH = 500;
const SPOKEN = { ar: "العربية", en: "English" }; // the language spoken, not the page's

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    return false; // storage refused (private mode): captions start off, as for a newcomer
  }
}

function remember(on) {
  try {
    localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
  } catch {
    // Not remembered: the switch still works for this visit.
  }
}

function lineElement(said, preview) {
  return h(
    "p",
    {
      class: preview ? "caption-line caption-preview" : "caption-line",
      dir: "auto",
      lang: said.lang || false,
      "data-testid": preview ? "caption-preview" : "caption-line",
    },
    said.text,
  );
}

// Sends what the captioner types: previews at most every PREVIEW_EVERY_MS, a final line on
// Enter. A final line waits for the preview in flight, so no stale preview follows it.
function createCaptionerBox(client, feedback) {
  const input = h("input", {
    type: "text",
    class: "caption-input",
    dir: "auto",
    maxlength: MAX_LENGTH,
    autocomplete: "off",
    "aria-label": t("room.captions.input"),
    placeholder: t("room.captions.input"),
    "data-testid": "caption-input",
  });
  const spoken = h(
    "select",
    { class: "caption-lang", "aria-label": t("room.captions.lang"), "data-testid": "caption-lang" },
    ...Object.entries(SPOKEN).map(([code, name]) => h("option", { value: code }, name)),
  );
  spoken.value = Object.hasOwn(SPOKEN, language()) ? language() : "ar";
  const send = h("button", { type: "submit", class: "button", "data-testid": "caption-send" }, t("room.captions.send"));
  const form = h("form", { class: "caption-form", "data-testid": "caption-form" }, input, spoken, send);
  let inflight = Promise.resolve();
  let lastPreview = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  function preview() {
    clearTimeout(timer);
    timer = undefined;
    lastPreview = Date.now();
    const text = input.value;
    inflight = client.sendCaption(text, { final: false, lang: spoken.value }).then(
      () => undefined,
      () => undefined, // a lost preview is replaced by the next one, or by the line itself
    );
  }

  input.addEventListener("input", () => {
    const wait = lastPreview + PREVIEW_EVERY_MS - Date.now();
    if (wait <= 0) preview();
    else if (timer === undefined) timer = setTimeout(preview, wait);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    clearTimeout(timer);
    timer = undefined;
    input.value = "";
    await inflight;
    feedback.act(() => client.sendCaption(text, { final: true, lang: spoken.value }));
  });
  return form;
}

export function createCaptions(client, feedback) {
  let on = remembered();
  const overlay = h("div", {
    class: "captions-overlay",
    "aria-live": "polite",
    "data-testid": "captions-overlay",
    hidden: true,
  });
  const toggle = button("captions-toggle", "", () => {
    on = !on;
    remember(on);
    if (latest) update(latest);
  });
  const box = createCaptionerBox(client, feedback);
  const status = h("p", { class: "muted", "data-testid": "captioner-status", hidden: true }, t("room.captions.youCaption"));
  const element = panel("captions-panel", "room.captions.heading", toggle, status, box);
  let latest = null;

  function update(state) {
    latest = state;
    setToggle(toggle, on, "room.captions.show", "room.captions.hide");
    const captioning = mayCaption(state);
    box.hidden = !captioning;
    status.hidden = !captioning;
    const lines = state.captions.lines.slice(-SHOWN_LINES).map((said) => lineElement(said, false));
    const previews = Object.values(state.captionPreviews)
      .filter((said) => said.user_id !== state.you.id)
      .map((said) => lineElement(said, true));
    overlay.replaceChildren(...lines, ...previews);
    overlay.hidden = !on || overlay.childElementCount === 0;
  }

  return {
    element,
    overlay,
    events: ["caption:captioners", "caption:line", "caption:preview"],
    update,
  };
}
