// The educator's slide upload (PDF, PNG, JPEG, or an Office document the server converts) and
// its processing progress, which arrives as slides:deck events. A deck uploaded here goes on
// show as soon as it is ready.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";

// PDF and images render directly; Office documents are converted by the server's LibreOffice.
const ACCEPT = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  ".pptx",
  ".ppt",
  ".odp",
  ".docx",
  ".doc",
  ".odt",
].join(",");

export function createDeckUpload(client, feedback) {
  let watched = null; // id of the deck uploaded from this page
  let shown = false;
  const input = h("input", { type: "file", accept: ACCEPT, class: "deck-file", "data-testid": "deck-upload" });
  const bar = h("progress", { max: 100, value: 0 });
  const label = h("span", { dir: "auto" });
  const progress = h(
    "div",
    { class: "deck-progress", role: "status", "data-testid": "deck-progress", hidden: true },
    label,
    bar,
  );
  const element = h(
    "div",
    { class: "deck-upload" },
    h("label", { class: "button" }, t("room.deck.upload"), input),
    progress,
  );

  function report(status, text, percent) {
    progress.hidden = false;
    progress.dataset.status = status;
    label.textContent = text;
    bar.hidden = status !== "processing" && status !== "uploading";
    if (percent == null) bar.removeAttribute("value");
    else bar.value = percent;
  }

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    input.disabled = true;
    report("uploading", t("room.deck.uploading", { title: file.name }), null);
    const deck = await feedback.act(() => client.uploadDeck(file));
    input.disabled = false;
    input.value = "";
    if (deck) {
      watched = deck.id;
      shown = false;
      update(client.state);
    } else {
      report("failed", t("room.deck.uploadFailed", { title: file.name }), null);
    }
  });

  function update(state) {
    const deck = state.decks.find((d) => d.id === watched);
    if (!deck) return;
    if (deck.status === "processing") {
      const text = t("room.deck.processing", { title: deck.title, progress: deck.progress });
      report("processing", text, deck.progress);
    } else if (deck.status === "failed") {
      report("failed", t("room.deck.failed", { title: deck.title }), null);
    } else {
      report("ready", t("room.deck.ready", { title: deck.title }), 100);
      if (!shown) {
        shown = true;
        feedback.act(() => client.showSlide(deck.id, 1));
      }
    }
  }

  return { element, events: ["slides:deck"], update };
}
