// The slide on show: the page image (or a blank whiteboard page), the canvas with the page's
// annotations and the drawing tools' gestures, and the presenters' laser pointers.

import { deckPageUrl } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { paint } from "./paint.js";
import { attachPointer } from "./pointer.js";
import { mayDraw } from "./roles.js";

const WHITEBOARD_RATIO = "16 / 9";
// Pages fetched ahead of the one on show, so that a page turn on a slow link shows from the
// browser's cache (page images are cacheable for a day) instead of waiting for the download.
const PREFETCH = [1, 2, -1];

export function createStage(client, feedback, tools) {
  const image = h("img", { class: "slide-image", "data-testid": "slide-image", alt: "" });
  const canvas = h("canvas", { class: "slide-canvas", "data-testid": "slide-canvas" });
  const lasers = h("div", { class: "lasers", "aria-hidden": "true" });
  const count = h("span", { class: "visually-hidden", "data-testid": "annotation-count" }, "0");
  // Slides have a fixed geometry: left-to-right even in an Arabic page.
  const stage = h("div", { class: "stage", dir: "ltr" }, image, canvas, lasers);
  const element = h("div", { class: "stage-frame" }, stage, count);
  let annotations = [];
  let drawing = { pending: [], preview: null };
  let painting = false;

  function repaint() {
    if (painting) return;
    painting = true;
    requestAnimationFrame(() => {
      painting = false;
      const ratio = window.devicePixelRatio || 1;
      const width = Math.round(stage.clientWidth * ratio);
      const height = Math.round(stage.clientHeight * ratio);
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      const shown = [...annotations, ...drawing.pending, drawing.preview].filter(Boolean);
      const context = canvas.getContext("2d");
      if (context) paint(context, shown, width, height);
    });
  }

  image.addEventListener("load", () => {
    stage.style.aspectRatio = `${image.naturalWidth} / ${image.naturalHeight}`;
    repaint();
  });
  new ResizeObserver(repaint).observe(stage);
  const pointer = attachPointer(canvas, client, feedback, tools, (next) => {
    drawing = next;
    repaint();
  });

  function showPage(state) {
    const { deck_id: deckId, page } = state.slide;
    const deck = state.decks.find((d) => d.id === deckId);
    image.dataset.deck = String(deckId);
    image.dataset.page = String(page);
    if (deck?.kind === "whiteboard") {
      image.hidden = true;
      image.removeAttribute("src");
      stage.style.aspectRatio = WHITEBOARD_RATIO;
    } else {
      image.hidden = false;
      image.alt = t("room.slide.alt", { title: deck?.title ?? "", page });
      const url = deckPageUrl(deckId, page);
      if (image.getAttribute("src") !== url) image.src = url;
      prefetch(deck, page);
    }
  }

  const prefetched = new Set();
  function prefetch(deck, page) {
    for (const step of PREFETCH) {
      const next = page + step;
      if (!deck || next < 1 || next > deck.page_count) continue;
      const url = deckPageUrl(deck.id, next);
      if (prefetched.has(url)) continue;
      prefetched.add(url);
      new Image().src = url;
    }
  }

  function showLasers(state) {
    lasers.replaceChildren(
      ...Object.values(state.lasers).map(({ x, y }) => {
        const dot = h("span", { class: "laser" });
        dot.style.left = `${x * 100}%`;
        dot.style.top = `${y * 100}%`;
        return dot;
      }),
    );
  }

  function update(state, event) {
    if (event === "laser:moved") {
      showLasers(state);
      return;
    }
    showPage(state);
    showLasers(state);
    annotations = state.annotations;
    count.textContent = String(annotations.length);
    pointer.setEnabled(mayDraw(state));
    repaint();
  }

  return {
    element,
    events: [
      "slides:page",
      "slides:deck",
      "annotation:added",
      "annotation:removed",
      "annotation:cleared",
      "laser:moved",
      "room:locks",
      "roster:updated",
    ],
    update,
  };
}
