// Where the slide is: "page / pages" for everyone; for the educator or presenter also the deck
// picker, previous / next, and a thumbnail per page.

import { deckPageUrl } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { mayPresent } from "./roles.js";
import { button } from "./ui.js";

function deckLabel(deck) {
  const title = deck.kind === "whiteboard" ? t("room.deck.whiteboard") : deck.title;
  if (deck.status === "processing") return t("room.deck.processing", { title, progress: deck.progress });
  if (deck.status === "failed") return t("room.deck.failed", { title });
  return title;
}

export function createSlideNav(client, feedback) {
  let slide = { deck_id: null, page: 1 };
  let thumbsFor = "";
  const show = (deckId, page) => feedback.act(() => client.showSlide(deckId, page));

  const picker = h("select", {
    class: "deck-picker",
    "data-testid": "deck-picker",
    "aria-label": t("room.deck.picker"),
  });
  picker.addEventListener("change", () => show(Number(picker.value), 1));
  const prev = button("page-prev", t("room.page.prev"), () => show(slide.deck_id, slide.page - 1));
  const next = button("page-next", t("room.page.next"), () => show(slide.deck_id, slide.page + 1));
  const indicator = h("span", { class: "page-indicator", dir: "ltr", "data-testid": "page-indicator" });
  const thumbs = h("ol", {
    class: "page-thumbs",
    "data-testid": "page-thumbs",
    "aria-label": t("room.page.thumbs"),
  });
  const controls = [picker, prev, next, thumbs];
  const element = h(
    "nav",
    { class: "slide-nav", "aria-label": t("room.page.nav") },
    h("div", { class: "slide-nav-row" }, picker, prev, indicator, next),
    thumbs,
  );

  function thumbnail(deck, page) {
    const label = t("room.page.go", { page });
    const go = h(
      "button",
      { type: "button", class: "thumb", "aria-label": label, title: label },
      deck.kind !== "whiteboard" &&
        h("img", { src: deckPageUrl(deck.id, page), alt: "", loading: "lazy" }),
      h("span", {}, String(page)),
    );
    go.addEventListener("click", () => show(deck.id, page));
    return h("li", {}, go);
  }

  function showThumbs(deck) {
    const key = deck ? `${deck.id}:${deck.page_count}` : "";
    if (key !== thumbsFor) {
      thumbsFor = key;
      const pages = deck ? Array.from({ length: deck.page_count }, (_, i) => i + 1) : [];
      thumbs.replaceChildren(...pages.map((page) => thumbnail(deck, page)));
    }
    [...thumbs.children].forEach((item, i) => {
      const go = item.firstElementChild;
      if (!go) return;
      if (i + 1 === slide.page) go.setAttribute("aria-current", "page");
      else go.removeAttribute("aria-current");
    });
  }

  function update(state) {
    slide = state.slide;
    const deck = state.decks.find((d) => d.id === slide.deck_id);
    const pageCount = deck?.page_count ?? slide.page;
    indicator.textContent = `${slide.page} / ${pageCount}`;
    picker.replaceChildren(
      ...state.decks.map((d) =>
        h(
          "option",
          { value: d.id, disabled: d.status !== "ready", selected: d.id === slide.deck_id },
          deckLabel(d),
        ),
      ),
    );
    const presenting = mayPresent(state);
    for (const control of controls) control.hidden = !presenting;
    prev.disabled = slide.page <= 1;
    next.disabled = slide.page >= pageCount;
    showThumbs(presenting ? deck : null);
  }

  return { element, events: ["slides:page", "slides:deck", "roster:updated"], update };
}
