// The educator's new-poll form: a question, 2 to 10 options, one or several choices.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { button } from "./ui.js";

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 10;

export function createPollForm(client, feedback) {
  const question = h("input", {
    class: "poll-question",
    maxlength: 300,
    required: true,
    dir: "auto",
    "aria-label": t("room.poll.question"),
    placeholder: t("room.poll.question"),
    "data-testid": "poll-question",
  });
  const options = h("ol", { class: "poll-options" });
  const multiple = h("input", { type: "checkbox", "data-testid": "poll-multiple" });
  const add = button("poll-add-option", t("room.poll.addOption"), () => addOption());
  const open = h(
    "button",
    { type: "submit", class: "button primary", "data-testid": "poll-open" },
    t("room.poll.open"),
  );
  const element = h(
    "form",
    { class: "poll-form" },
    question,
    options,
    add,
    h("label", { class: "check" }, multiple, t("room.poll.multiple")),
    open,
  );

  function renumber() {
    const items = [...options.children];
    items.forEach((item, i) => {
      const input = item.querySelector("input");
      const remove = item.querySelector("button");
      if (!input || !remove) return;
      input.setAttribute("aria-label", t("room.poll.option", { n: i + 1 }));
      input.placeholder = t("room.poll.option", { n: i + 1 });
      remove.hidden = items.length <= MIN_OPTIONS;
    });
    add.hidden = items.length >= MAX_OPTIONS;
  }

  function addOption() {
    const input = h("input", { maxlength: 100, required: true, dir: "auto", "data-testid": "poll-option" });
    const item = h("li", {}, input);
    item.append(
      button("poll-remove-option", t("room.poll.removeOption"), () => {
        item.remove();
        renumber();
      }, { class: "link-button" }),
    );
    options.append(item);
    renumber();
    return input;
  }

  function reset() {
    question.value = "";
    multiple.checked = false;
    options.replaceChildren();
    for (let i = 0; i < MIN_OPTIONS; i++) addOption();
  }
  reset();

  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const texts = [...options.querySelectorAll("input")].map((input) => input.value.trim());
    open.disabled = true;
    const opened = await feedback.act(() =>
      client.openPoll({ question: question.value.trim(), options: texts, multiple: multiple.checked }),
    );
    open.disabled = false;
    if (opened) reset();
  });

  return element;
}
