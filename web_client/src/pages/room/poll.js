// The poll: educators open one, watch the live counts, close and publish it; students vote
// once and see the results once they are published.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { createPollForm } from "./poll-form.js";
import { isEducator } from "./roles.js";
import { button, panel } from "./ui.js";

function results(poll) {
  const counts = poll.counts ?? poll.options.map(() => 0);
  const voters = poll.total_voters ?? 0;
  const mine = new Set(poll.my_choices ?? []);
  return h(
    "ol",
    { class: "poll-results" },
    ...poll.options.map((option, i) => {
      const bar = h("span", { class: "poll-bar" });
      bar.style.inlineSize = `${voters ? (100 * counts[i]) / voters : 0}%`;
      return h(
        "li",
        {},
        h("bdi", { class: "poll-option-text" }, option),
        mine.has(i) && h("span", { class: "badge accent" }, t("room.poll.yourChoice")),
        h("span", { class: "poll-count", "data-testid": "poll-count" }, String(counts[i])),
        h("span", { class: "poll-track" }, bar),
      );
    }),
  );
}

function voteForm(client, feedback, poll) {
  const type = poll.multiple ? "checkbox" : "radio";
  const vote = h(
    "button",
    { type: "submit", class: "button primary", "data-testid": "poll-vote", disabled: true },
    t("room.poll.vote"),
  );
  const form = h(
    "form",
    { class: "poll-vote" },
    h(
      "fieldset",
      {},
      h("legend", { class: "visually-hidden" }, poll.question),
      ...poll.options.map((option, i) =>
        h(
          "label",
          { class: "check" },
          h("input", { type, name: `poll-${poll.id}`, value: i, "data-testid": "poll-vote-option" }),
          h("bdi", {}, option),
        ),
      ),
    ),
    vote,
  );
  const choices = () => [...form.querySelectorAll("input:checked")].filter((input) => input instanceof HTMLInputElement).map((input) => Number(input.value));
  form.addEventListener("change", () => {
    vote.disabled = choices().length === 0;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    vote.disabled = true;
    if (!(await feedback.act(() => client.vote(poll.id, choices())))) vote.disabled = false;
  });
  return form;
}

function educatorView(client, feedback, poll) {
  const open = poll.status === "open";
  return [
    results(poll),
    h("p", { class: "muted" }, t("room.poll.voters", { count: poll.total_voters ?? 0 })),
    h(
      "div",
      { class: "poll-actions" },
      open && button("poll-close", t("room.poll.close"), () => feedback.act(() => client.closePoll(poll.id))),
      poll.status !== "published" &&
        button("poll-publish", t("room.poll.publish"), () => feedback.act(() => client.publishPoll(poll.id))),
    ),
  ];
}

function studentView(client, feedback, poll) {
  if (poll.status === "published") return [results(poll)];
  if (poll.my_choices == null) {
    if (poll.status === "open") return [voteForm(client, feedback, poll)];
    return [h("p", { class: "muted" }, t("room.poll.closed"))];
  }
  const chosen = poll.my_choices.map((i) => h("li", {}, h("bdi", {}, poll.options[i])));
  return [h("p", { class: "muted" }, t("room.poll.voted")), h("ul", { class: "poll-mine" }, ...chosen)];
}

export function createPoll(client, feedback) {
  const current = h("div", { class: "poll-current" });
  const element = panel("poll-panel", "room.poll.heading", current);
  element.dataset.testid = "poll-panel";
  let form = null;

  function update(state) {
    const { poll } = state;
    const educator = isEducator(state);
    if (educator && !form) {
      form = createPollForm(client, feedback);
      element.append(form);
    }
    if (form) form.hidden = poll?.status === "open";
    if (!poll) {
      current.replaceChildren(...(educator ? [] : [h("p", { class: "muted" }, t("room.poll.none"))]));
      return;
    }
    current.replaceChildren(
      h("h3", { dir: "auto" }, poll.question),
      h("p", { class: "badge" }, t(`room.poll.status.${poll.status}`)),
      ...(educator ? educatorView(client, feedback, poll) : studentView(client, feedback, poll)),
    );
  }

  const events = ["poll:opened", "poll:counts", "poll:closed", "poll:results", "poll:voted"];
  return { element, events, update };
}
