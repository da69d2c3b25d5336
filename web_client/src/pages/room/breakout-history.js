// Educators: the groups of earlier breakouts of this lecture and, group by group, what they
// kept: their chat and their drawings, painted on each page they used.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { deckPageUrl } from "../../api.js";
import { groupLabel, groupWork, listBreakouts } from "../../room/breakout.js";
import { paint } from "./paint.js";
import { button } from "./ui.js";

const CANVAS_WIDTH = 320;
const CANVAS_HEIGHT = 180;

const label = (group) => groupLabel(group, (n) => t("room.breakout.group", { n }));

// One canvas per page the group drew on, its drawings over the page (a whiteboard is blank).
function pages(drawings, decks) {
  const byPage = new Map();
  for (const d of drawings) {
    const key = `${d.deck_id}:${d.page}`;
    if (!byPage.has(key)) byPage.set(key, []);
    byPage.get(key).push({ ...d.shape, id: d.id, deck_id: d.deck_id, page: d.page, author_id: d.author_id });
  }
  return [...byPage.values()].map((annotations) => {
    const { deck_id, page } = annotations[0];
    const canvas = h("canvas", {
      class: "breakout-drawing",
      width: CANVAS_WIDTH,
      height: CANVAS_HEIGHT,
      "data-testid": "breakout-drawing",
      "data-count": annotations.length,
    });
    const slides = decks.find((deck) => deck.id === deck_id)?.kind !== "whiteboard";
    if (slides) {
      canvas.style.backgroundImage = `url(${deckPageUrl(deck_id, page)})`;
      canvas.style.backgroundSize = "100% 100%";
    }
    const context = canvas.getContext("2d");
    if (context) paint(context, annotations, CANVAS_WIDTH, CANVAS_HEIGHT);
    return canvas;
  });
}

export function createBreakoutHistory(feedback, lectureId, decks) {
  const list = h("ul", { class: "breakout-history-list", "data-testid": "breakout-history-list" });
  const show = button("breakout-history", t("room.breakout.history"), () =>
    feedback.act(async () => {
      const breakouts = await listBreakouts(lectureId());
      const groups = breakouts.flatMap((b) => b.groups);
      list.replaceChildren(...(groups.length ? groups.map(item) : [h("li", { class: "muted" }, t("room.breakout.history.none"))]));
    }),
  );

  function item(group) {
    const work = h("div", { class: "breakout-work", "data-testid": "breakout-work" });
    const open = button("breakout-work-show", t("room.breakout.work"), () =>
      feedback.act(async () => {
        const { chat, drawings } = await groupWork(group);
        work.replaceChildren(
          h(
            "ol",
            { class: "breakout-transcript", "data-testid": "breakout-transcript" },
            ...chat.map((line) => h("li", { dir: "auto" }, h("bdi", {}, line.sender_name), ": ", line.text)),
          ),
          ...pages(drawings, decks()),
        );
        if (!chat.length && !drawings.length) work.append(h("p", { class: "muted" }, t("room.breakout.work.none")));
      }),
      { "aria-label": t("room.breakout.work.label", { name: label(group) }) },
    );
    return h(
      "li",
      { "data-testid": "breakout-history-group", "data-lecture-id": group.lecture_id },
      h("strong", { dir: "auto" }, label(group)),
      " ",
      h("span", { class: "muted", dir: "auto" }, group.members.map((m) => m.name).join(", ")),
      open,
      work,
    );
  }

  return { element: h("div", { class: "breakout-history" }, show, list) };
}
