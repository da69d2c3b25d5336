// /guest#<token>: a guest link. Says which lecture it leads to and asks the guest's name; then
// the server makes a guest account with a session for that lecture, and the room page keeps
// the guest in the lobby until an educator lets them in. The token stays in the fragment, so
// no server log ever records it.

import { ApiError, enterAsGuest, openGuestLink } from "../api.js";
import { h } from "../dom.js";
import { describeError, t } from "../i18n.js";
import { field } from "../ui.js";

const MAX_NAME = 80;

export async function guestPage() {
  const token = decodeURIComponent(location.hash.slice(1));
  let lecture;
  try {
    lecture = await openGuestLink(token);
  } catch (failure) {
    if (!(failure instanceof ApiError)) throw failure;
    return h(
      "section",
      { class: "login" },
      h("div", { class: "card room-notice", role: "alert", "data-testid": "guest-link-refused" }, h("p", {}, t("guest.refused")), h("p", { class: "muted" }, describeError(failure))),
    );
  }
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "guest-error" });
  const name = h("input", {
    id: "guest-name",
    name: "name",
    autocomplete: "name",
    maxlength: MAX_NAME,
    required: true,
    autofocus: true,
    dir: "auto",
  });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "guest-enter" }, t("guest.enter"));
  const form = h(
    "form",
    { id: "guest-form", class: "card login-card", "aria-labelledby": "guest-heading" },
    h("h1", { id: "guest-heading" }, t("guest.heading")),
    h("p", { class: "muted" }, t("guest.intro"), " ", h("bdi", { "data-testid": "guest-lecture" }, lecture.title)),
    field("guest-name", t("guest.name"), name),
    error,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const entered = await enterAsGuest(token, name.value);
      location.assign(entered.room_url);
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = failure.code === "invalid_name" || failure.status === 422 ? t("guest.badName") : describeError(failure);
      submit.disabled = false;
    }
  });
  return h("section", { class: "login" }, form);
}
