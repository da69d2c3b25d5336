// The course's presentation library: decks (PDF, or PowerPoint, Word and OpenDocument files the
// server converts) that every lecture of the course can show. Its educators upload them, share
// one publicly (a page anyone may open) and offer the file for download.

import { deleteDeck, listLibraryDecks, updateDeck, uploadLibraryDeck } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button } from "../../ui.js";

const ACCEPT = ".pdf,.png,.jpg,.jpeg,.pptx,.ppt,.odp,.docx,.doc,.odt";
const POLL_MS = 1500;

function toggle(testId, label, checked, onChange) {
  const input = h("input", { type: "checkbox", "data-testid": testId, checked });
  input.addEventListener("change", () => onChange(input.checked));
  return h("label", { class: "toggle" }, input, " ", label);
}

function deckItem(deck, manages, refresh) {
  const error = errorLine("presentation-error");
  const change = (changes) => attempt(error, () => updateDeck(deck.id, changes)).then(refresh);
  const status =
    deck.status === "ready"
      ? t("presentation.pages", { count: deck.page_count })
      : deck.status === "failed"
        ? t("presentation.failed")
        : t("presentation.processing", { progress: deck.progress });
  return h(
    "li",
    { class: "card resource-card", "data-testid": "presentation", "data-status": deck.status },
    h("span", { dir: "auto", class: "presentation-title" }, deck.title),
    " ",
    h("span", { class: "muted", "data-testid": "presentation-status" }, status),
    deck.share_url && h("a", { href: deck.share_url, "data-testid": "presentation-share" }, t("presentation.share")),
    deck.download_url &&
      h("a", { href: deck.download_url, download: "", "data-testid": "presentation-download" }, t("presentation.download")),
    manages &&
      h(
        "div",
        { class: "presentation-tools" },
        toggle("presentation-public", t("presentation.public"), deck.public, (on) => change({ public: on })),
        toggle("presentation-downloadable", t("presentation.downloadable"), deck.downloadable, (on) =>
          change({ downloadable: on }),
        ),
        button("presentation-delete", t("presentation.delete"), async () => {
          if (await attempt(error, () => deleteDeck(deck.id))) await refresh();
        }),
      ),
    error,
  );
}

function uploadForm(courseId, onAdded) {
  const error = errorLine("presentation-upload-error");
  const input = h("input", { type: "file", accept: ACCEPT, "data-testid": "presentation-file" });
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    if (!file) return;
    if (await attempt(error, () => uploadLibraryDeck(courseId, file, file.name))) await onAdded();
    input.value = "";
  });
  return h(
    "div",
    { class: "card inline-form", "data-testid": "presentation-upload" },
    h("label", {}, t("presentation.upload"), " ", input),
    error,
  );
}

export function createPresentations({ courseId, manages, signal }, { items }) {
  const list = h("ul", { class: "resource-list", "data-testid": "presentation-list" });
  let timer = 0;
  const show = (decks) => {
    list.replaceChildren(
      ...(decks.length
        ? decks.map((deck) => deckItem(deck, manages, refresh))
        : [h("li", { class: "empty" }, t("presentation.empty"))]),
    );
    clearTimeout(timer);
    // Conversion and rendering run on the server: look again until every deck is done.
    if (decks.some((deck) => deck.status === "processing") && !signal.aborted) timer = setTimeout(refresh, POLL_MS);
  };
  async function refresh() {
    show((await listLibraryDecks(courseId)).items);
  }
  signal.addEventListener("abort", () => clearTimeout(timer));
  show(items);
  return h(
    "section",
    { class: "course-section presentations" },
    h("h2", {}, t("course.presentations")),
    list,
    manages && uploadForm(courseId, refresh),
  );
}
