// The frame around every page: product name, language switch, the user and logout; pages render
// into the returned <main>.

import { h } from "./dom.js";
import { LANGUAGES, language, t } from "./i18n.js";

export function renderLayout(root, { user, onLanguage, onLogout }) {
  const languageSwitch = h(
    "select",
    { class: "lang-switch", "data-testid": "lang-switch" },
    ...Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, lang: code }, name)),
  );
  languageSwitch.value = language();
  languageSwitch.addEventListener("change", () => onLanguage(languageSwitch.value));

  let account = null;
  if (user) {
    const logout = h("button", { type: "button", class: "button", "data-testid": "logout" }, t("logout"));
    logout.addEventListener("click", onLogout);
    account = h(
      "div",
      { class: "account" },
      h("span", { class: "user-name", dir: "auto", "data-testid": "user-name" }, user.display_name),
      logout,
    );
  }

  const header = h(
    "header",
    { class: "app-header" },
    h("a", { class: "brand", href: "/" }, t("app.name")),
    h(
      "div",
      { class: "header-tools" },
      h("label", { class: "lang" }, h("span", { class: "visually-hidden" }, t("lang.label")), languageSwitch),
      account,
    ),
  );
  const main = h("main", { class: "page", id: "main" });
  root.replaceChildren(header, main);
  return main;
}
