// The lobby, for the educator: turn it on or off, who waits (guests marked), Admit / Deny one,
// Admit all; and the guest-link dialog (a link to copy, for people without an account).

import { createGuestLink, listGuestLinks, revokeGuestLink } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button, panel, setToggle } from "./ui.js";

// The newest link still letting guests in is shown again (copied again, not made again); a new
// one can be made, and the shown one revoked.
function guestLinkDialog(lectureId, feedback) {
  const url = h("input", { type: "text", readonly: true, class: "guest-link-url", "data-testid": "guest-link-url", dir: "ltr" });
  const status = h("p", { class: "muted", role: "status", "data-testid": "guest-link-status" });
  let shown = null;
  function show(link) {
    shown = link;
    url.value = link?.url ?? "";
    copy.disabled = revoke.disabled = !link;
    copy.textContent = t("room.lobby.copy");
    status.textContent = link ? "" : t("room.lobby.revoked");
  }
  const copy = button("copy-guest-link", t("room.lobby.copy"), async () => {
    url.select();
    try {
      await navigator.clipboard.writeText(url.value);
      copy.textContent = t("room.lobby.copied");
    } catch {
      document.execCommand?.("copy");
    }
  });
  const fresh = button("new-guest-link", t("room.lobby.newLink"), async () => {
    const link = await feedback.act(() => createGuestLink(lectureId));
    if (link) show(link);
  });
  const revoke = button("revoke-guest-link", t("room.lobby.revoke"), async () => {
    const link = shown;
    if (!link) return;
    // A 204 answers null, as a refusal does: the action says which it was.
    const revoked = await feedback.act(() => revokeGuestLink(lectureId, link.id).then(() => true));
    if (revoked) show(null);
  });
  const close = button("close-guest-link", t("room.lobby.close"), () => dialog.close());
  const dialog = h(
    "dialog",
    { class: "guest-link-dialog", "data-testid": "guest-link-dialog" },
    h("h2", {}, t("room.lobby.guestLink")),
    h("p", { class: "muted" }, t("room.lobby.guestLink.hint")),
    url,
    status,
    h("div", { class: "roster-actions" }, copy, fresh, revoke, close),
  );
  async function open() {
    const links = await feedback.act(() => listGuestLinks(lectureId));
    if (!links) return;
    const usable = links.items.filter((link) => link.url).at(-1);
    const link = usable ?? (await feedback.act(() => createGuestLink(lectureId)));
    if (!link) return;
    show(link);
    document.body.append(dialog);
    dialog.showModal();
    url.select();
  }
  return { open };
}

export function createLobby(client, feedback, state) {
  let enabled = false;
  const toggle = button("toggle-lobby", "", () => feedback.act(() => client.setLobby(!enabled)));
  const admitAll = button("admit-all", t("room.lobby.admitAll"), () => feedback.act(() => client.admitAll()));
  const dialog = guestLinkDialog(state.lecture.id, feedback);
  const guestLink = button("make-guest-link", t("room.lobby.guestLink"), () => dialog.open());
  const list = h("ul", { class: "roster lobby-list", "data-testid": "lobby-list" });
  const empty = h("p", { class: "muted", "data-testid": "lobby-empty" }, t("room.lobby.empty"));
  const element = panel("lobby-panel", "room.lobby.heading", h("div", { class: "roster-actions" }, toggle, admitAll, guestLink), empty, list);
  element.setAttribute("data-testid", "lobby-panel");

  function item(person) {
    return h(
      "li",
      { "data-testid": "lobby-person", "data-user-id": String(person.user_id) },
      h("bdi", { class: "participant-name" }, person.name),
      person.guest && h("span", { class: "badge" }, t("room.lobby.guest")),
      h(
        "span",
        { class: "roster-actions" },
        button("admit", t("room.lobby.admit"), () => feedback.act(() => client.admit(person.user_id))),
        button("deny", t("room.lobby.deny"), () => feedback.act(() => client.deny(person.user_id))),
      ),
    );
  }

  function update(next) {
    element.hidden = !isEducator(next);
    const lobby = next.lobby ?? { enabled: false, waiting: [] };
    enabled = lobby.enabled;
    setToggle(toggle, enabled, "room.lobby.turnOn", "room.lobby.turnOff");
    admitAll.hidden = lobby.waiting.length === 0;
    empty.hidden = lobby.waiting.length > 0;
    list.replaceChildren(...lobby.waiting.map(item));
  }

  return { element, events: ["room:lobby", "lobby:waiting"], update };
}
