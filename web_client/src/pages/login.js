// The login form; on success hands the logged-in user to onLogin.

import { ApiError, login } from "../api.js";
import { h } from "../dom.js";
import { describeError, t } from "../i18n.js";
import { control, field } from "../ui.js";

export function loginPage({ onLogin }) {
  const error = h("p", { class: "form-error", role: "alert", "data-testid": "login-error" });
  const submit = h("button", { type: "submit", class: "button primary" }, t("login.submit"));
  const form = h(
    "form",
    { id: "login-form", class: "card login-card", "aria-labelledby": "login-heading" },
    h("h1", { id: "login-heading" }, t("login.heading")),
    h("p", { class: "muted" }, t("login.intro")),
    field(
      "login-username",
      t("login.username"),
      h("input", {
        id: "login-username",
        name: "username",
        autocomplete: "username",
        autocapitalize: "none",
        spellcheck: "false",
        required: true,
        autofocus: true,
      }),
    ),
    field(
      "login-password",
      t("login.password"),
      h("input", {
        id: "login-password",
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      }),
    ),
    error,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    error.textContent = "";
    submit.disabled = true;
    submit.textContent = t("login.busy");
    let result;
    try {
      result = await login(String(data.get("username") ?? ""), String(data.get("password") ?? ""));
    } catch (failure) {
      if (!(failure instanceof ApiError)) throw failure;
      error.textContent = describeError(failure);
      submit.disabled = false;
      submit.textContent = t("login.submit");
      const password = control(form, "password");
      if (password instanceof HTMLInputElement) password.select();
      return;
    }
    onLogin(result.user);
  });

  // Open courses need no account: the first page shows the way to them.
  const open = h(
    "p",
    { class: "open-courses-link" },
    h("a", { href: "/open-courses", "data-testid": "open-courses-link" }, t("open.browse")),
  );
  return h("section", { class: "login" }, form, open);
}
