// A presentation's page at /decks/{id}: its slides one under the other, for its course's members
// and, once its educators share it, for anyone with the link (no account needed); with the
// file as uploaded when they offer it.

import { ApiError, deckPageUrl, getDeck } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { loginPage } from "./login.js";

export async function deckPage({ params, user, onLogin }) {
  let deck;
  try {
    deck = await getDeck(Number(params.deckId));
  } catch (error) {
    // A deck that is not shared: its course's members log in to see it.
    if (error instanceof ApiError && error.status === 401 && !user) return loginPage({ onLogin });
    throw error;
  }
  const pages = Array.from({ length: deck.page_count }, (_, index) =>
    h("img", {
      class: "deck-page",
      src: deckPageUrl(deck.id, index + 1),
      alt: t("presentation.page", { page: index + 1 }),
      loading: "lazy",
      "data-testid": "deck-page",
    }),
  );
  return h(
    "section",
    { class: "deck-share" },
    h("h1", { dir: "auto", "data-testid": "deck-title" }, deck.title),
    deck.download_url &&
      h("p", {}, h("a", { class: "button", href: deck.download_url, download: "", "data-testid": "deck-download" }, t("presentation.download"))),
    h("div", { class: "deck-pages" }, ...pages),
  );
}
