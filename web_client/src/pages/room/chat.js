// Public and private chat. Message text only ever goes in as text. Students write privately to
// educators only; educators to anyone. The educator locks public chat for students and deletes
// messages.

import { h } from "../../dom.js";
import { language, t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button, panel, setToggle } from "./ui.js";

const MAX_TEXT = 2000;
const NEAR_BOTTOM_PX = 40;
const LIST_EVENTS = new Set(["room:state", "chat:message", "chat:deleted"]);

export function createChat(client, feedback) {
  let state = null;
  const list = h("ol", { class: "chat-list", "data-testid": "chat-list", "aria-live": "polite" });
  const to = h("select", { class: "chat-to", "data-testid": "chat-to", "aria-label": t("room.chat.to") });
  const input = h("textarea", {
    class: "chat-input",
    rows: 2,
    maxlength: MAX_TEXT,
    dir: "auto",
    required: true,
    "aria-label": t("room.chat.message"),
    placeholder: t("room.chat.placeholder"),
    "data-testid": "chat-input",
  });
  const send = h(
    "button",
    { type: "submit", class: "button primary", "data-testid": "chat-send" },
    t("room.chat.send"),
  );
  const lockedNote = h("p", { class: "muted", "data-testid": "chat-locked" }, t("room.chat.lockedNote"));
  const lock = button("lock-chat", "", () => feedback.act(() => client.lockChat(!state.locks.chat)));
  const form = h("form", { class: "chat-form" }, to, input, send);
  const element = panel("chat-panel", "room.chat.heading", lock, list, lockedNote, form);

  async function submit() {
    const text = input.value;
    if (!text.trim()) return;
    send.disabled = true;
    const sent = await feedback.act(() => client.sendChat(text, to.value ? Number(to.value) : null));
    send.disabled = false;
    if (sent) input.value = "";
    input.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });

  function message(m) {
    const time = new Date(m.sent_at).toLocaleTimeString(language(), {
      hour: "2-digit",
      minute: "2-digit",
    });
    const meta = h(
      "div",
      { class: "chat-meta" },
      h("bdi", { class: "chat-from" }, m.from.name),
      m.to && h("span", { class: "chat-private" }, ` ${t("room.chat.privateTo")} `, h("bdi", {}, m.to.name)),
      h("time", { datetime: m.sent_at }, time),
      isEducator(state) &&
        button("chat-delete", t("room.chat.delete"), () => feedback.act(() => client.deleteChat(m.id)), {
          class: "link-button",
        }),
    );
    return h(
      "li",
      { class: "chat-message", "data-testid": "chat-message", "data-private": String(m.to !== null) },
      meta,
      h("p", { class: "chat-text", dir: "auto" }, m.text),
    );
  }

  // Everyone, then whom you may write to privately; the choice survives roster changes.
  function recipients() {
    const previous = to.value;
    const people = state.roster.filter(
      (p) => p.id !== state.you.id && (isEducator(state) || p.role === "educator"),
    );
    const publicLocked = state.locks.chat && !isEducator(state);
    to.replaceChildren(
      h("option", { value: "", disabled: publicLocked }, t("room.chat.everyone")),
      ...people.map((p) => h("option", { value: p.id }, p.name)),
    );
    const options = [...to.options].filter((o) => !o.disabled);
    to.value = options.some((o) => o.value === previous) ? previous : (options[0]?.value ?? "");
    lockedNote.hidden = !publicLocked;
  }

  function update(next, event) {
    state = next;
    lock.hidden = !isEducator(state);
    setToggle(lock, state.locks.chat, "room.chat.lock", "room.chat.unlock");
    recipients();
    if (!LIST_EVENTS.has(event)) return;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    list.replaceChildren(...state.chat.map(message));
    if (atBottom || event === "room:state") list.scrollTop = list.scrollHeight;
  }

  return {
    element,
    events: [...LIST_EVENTS, "room:locks", "roster:joined", "roster:left", "roster:removed", "roster:updated"],
    update,
  };
}
