// Drop-in office hours: the educator opens them now and admits waiting students one at a time
// into a private room; a student joins the queue and sees their place until admitted. Both
// sides poll every few seconds while the page is open.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button } from "../../ui.js";
import { pause } from "../../wait.js";
import {
  admitNext,
  closeDropIn,
  getDropIn,
  joinQueue,
  listDropIns,
  myPlace,
  openDropIn,
} from "./api.js";

const POLL_MS = 3000;

const roomLink = (url, testId) =>
  h("a", { class: "button primary", href: url, "data-testid": testId }, t("oh.join"));

// Calls `step` now and every POLL_MS until the page goes away.
async function poll(signal, step) {
  while (!signal.aborted) {
    await step();
    await pause(POLL_MS, signal);
  }
}

function educatorPanel({ courseId, user, signal }, body, error) {
  let current = null;

  async function refresh() {
    const open = await attempt(error, () => listDropIns(courseId));
    if (!open) return;
    const mine = open.value.items.find((d) => d.educator_id === user.id);
    current = mine ? (await attempt(error, () => getDropIn(mine.id)))?.value ?? mine : null;
    render();
  }

  const admitted = h("p", { role: "status", "data-testid": "drop-in-admitted" });

  function render() {
    if (!current) {
      body.replaceChildren(
        h("p", { class: "muted" }, t("oh.dropIn.closed")),
        button("drop-in-open", t("oh.dropIn.open"), async () => {
          if (await attempt(error, () => openDropIn(courseId))) await refresh();
        }, { class: "button primary" }),
      );
      return;
    }
    const queue = current.queue ?? [];
    body.replaceChildren(
      h("p", { "data-testid": "drop-in-state" }, t("oh.dropIn.isOpen", { count: current.queue_total ?? queue.length })),
      h(
        "ol",
        { class: "unit-list", "data-testid": "drop-in-queue" },
        ...queue.map((w) => h("li", {}, h("bdi", {}, w.name))),
      ),
      h(
        "div",
        { class: "form-actions" },
        button("drop-in-admit", t("oh.dropIn.admit"), async () => {
          const answer = await attempt(error, () => admitNext(current.id));
          if (answer) {
            const who = queue.find((w) => w.student_id === answer.value.student_id)?.name ?? "";
            admitted.replaceChildren(t("oh.dropIn.admitted", { name: who }), " ", roomLink(answer.value.join_url, "drop-in-room"));
          }
          await refresh();
        }, { class: "button primary", disabled: !queue.length }),
        button("drop-in-close", t("oh.dropIn.close"), async () => {
          if (await attempt(error, () => closeDropIn(current.id))) await refresh();
        }, { class: "button danger" }),
      ),
      admitted,
    );
  }

  poll(signal, refresh);
}

function studentPanel({ courseId, hosts, signal }, body, error) {
  const nameOf = (educatorId) => hosts.find((x) => x.educator_id === educatorId)?.name ?? t("role.educator");

  function placeLine(place) {
    if (place.state === "waiting") return h("p", { "data-testid": "drop-in-place" }, t("oh.dropIn.place", { place: place.place }));
    if (place.state === "admitted") {
      return h("p", { "data-testid": "drop-in-place" }, t("oh.dropIn.yourTurn"), " ", roomLink(place.join_url, "drop-in-room"));
    }
    if (place.state === "left") return h("p", { class: "muted", "data-testid": "drop-in-place" }, t("oh.dropIn.ended"));
    return null;
  }

  async function row(dropIn) {
    const place = (await attempt(error, () => myPlace(dropIn.id)))?.value ?? { state: "none" };
    const join = button("drop-in-join", t("oh.dropIn.join"), async () => {
      if (await attempt(error, () => joinQueue(dropIn.id))) await refresh();
    }, { class: "button primary" });
    return h(
      "li",
      { class: "lecture-item", "data-testid": "drop-in-item" },
      h("div", { class: "lecture-what" }, h("h4", {}, h("bdi", {}, nameOf(dropIn.educator_id))), placeLine(place)),
      (place.state === "none" || place.state === "left") && h("div", { class: "lecture-actions" }, join),
    );
  }

  async function refresh() {
    const open = await attempt(error, () => listDropIns(courseId));
    if (!open) return;
    const items = await Promise.all(open.value.items.map(row));
    body.replaceChildren(
      items.length ? h("ul", { class: "lecture-items" }, ...items) : h("p", { class: "muted" }, t("oh.dropIn.none")),
    );
  }

  poll(signal, refresh);
}

export function createDropIn(context) {
  const error = errorLine("drop-in-error");
  const body = h("div", { "data-testid": "drop-in-body" });
  if (context.manages) educatorPanel(context, body, error);
  else studentPanel(context, body, error);
  return h(
    "section",
    { class: "course-section", "data-testid": "drop-in" },
    h("h2", {}, t("oh.dropIn")),
    error,
    body,
  );
}
