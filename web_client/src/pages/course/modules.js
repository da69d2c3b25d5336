// The course's self-paced modules, in order, each linking to its page; educators also see
// drafts (students get only published modules from the server). The course's educators author
// them here: a form for a new module, each module's settings edited in place, publishing, moving
// a module up or down (the whole order is saved at once) and deleting after an inline "Yes/No".

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { createModule, deleteModule, listModules, orderModules, updateModule } from "../../module-api.js";
import { button } from "../../ui.js";
import { createModuleForm } from "./module-form.js";

const MAX_POSITION = 10000;

function badges(module) {
  return h(
    "span",
    { class: "badges" },
    !module.published && h("span", { class: "badge", "data-testid": "module-draft" }, t("module.draft")),
    module.open_course && h("span", { class: "badge accent", "data-testid": "module-open-badge" }, t("module.open")),
    module.open_course &&
      module.licence &&
      h("span", { class: "badge", "data-testid": "module-licence-badge" }, h("bdi", {}, module.licence)),
  );
}

function title(module) {
  return h("a", { href: `/modules/${module.id}`, dir: "auto", "data-testid": "module-link" }, module.title);
}

function moduleItem(module) {
  return h("li", { class: "card module-card", "data-testid": "module-card" }, title(module), badges(module));
}

/**
 * @param {{ courseId: number, manages: boolean }} context
 * @param {{ items: Record<string, any>[] }} page
 */
export function createModules({ courseId, manages }, { items }) {
  const list = h("ul", { class: "module-list", "data-testid": "module-list" });
  const listError = errorLine("module-list-error");
  const announce = h("p", { class: "visually-hidden", role: "status", "data-testid": "module-announce" });
  let modules = items;
  /** @type {number | null} */
  let editing = null;
  /** @type {number | null} */
  let confirming = null;

  // After a re-render, the keyboard focus goes back into the module's card.
  function focusIn(module, selector) {
    const element = list.querySelector(`[data-module-id="${module.id}"] ${selector}`);
    if (element instanceof HTMLElement) element.focus();
  }

  async function refresh() {
    modules = (await listModules(courseId)).items;
    show();
  }

  // Saves the order with `module` moved by `step` (-1 up, +1 down), then keeps the focus on it.
  async function move(module, step) {
    const ids = modules.map((m) => m.id);
    const from = ids.indexOf(module.id);
    const to = from + step;
    [ids[from], ids[to]] = [ids[to], ids[from]];
    const saved = await attempt(listError, () => orderModules(courseId, ids));
    await refresh(); // on a refusal too: someone may have added or removed a module meanwhile
    if (!saved) return;
    announce.textContent = t("moduleForm.moved", { title: module.title, position: to + 1, count: ids.length });
    const [same, other] = step < 0 ? ["module-up", "module-down"] : ["module-down", "module-up"];
    const moved = list.querySelector(`[data-module-id="${module.id}"] [data-testid="${same}"]`);
    focusIn(module, `[data-testid="${moved instanceof HTMLButtonElement && moved.disabled ? other : same}"]`);
  }

  function tools(module, index, error) {
    const change = async (action) => {
      if (await attempt(error, action)) await refresh();
    };
    if (confirming === module.id) {
      return h(
        "div",
        { class: "tools module-confirm", role: "group", "aria-label": t("moduleForm.deleteQuestion", { title: module.title }) },
        h("span", { "data-testid": "module-delete-question" }, t("moduleForm.deleteQuestion", { title: module.title })),
        button("module-delete-confirm", t("moduleForm.yes"), () => change(() => deleteModule(module.id)), {
          class: "button danger",
        }),
        button("module-delete-cancel", t("moduleForm.no"), () => {
          confirming = null;
          show();
          focusIn(module, '[data-testid="module-delete"]');
        }),
      );
    }
    return h(
      "div",
      { class: "tools module-tools" },
      button("module-up", t("moduleForm.up"), () => move(module, -1), {
        "aria-label": t("moduleForm.upLabel", { title: module.title }),
        disabled: index === 0,
      }),
      button("module-down", t("moduleForm.down"), () => move(module, 1), {
        "aria-label": t("moduleForm.downLabel", { title: module.title }),
        disabled: index === modules.length - 1,
      }),
      button("module-edit", t("moduleForm.edit"), () => {
        editing = module.id;
        confirming = null;
        show();
        focusIn(module, 'input[name="title"]');
      }),
      button("module-publish", t(module.published ? "moduleForm.unpublish" : "moduleForm.publish"), () =>
        change(() => updateModule(module.id, { published: !module.published })),
      ),
      button("module-delete", t("moduleForm.delete"), () => {
        confirming = module.id;
        show();
        focusIn(module, '[data-testid="module-delete-cancel"]');
      }),
    );
  }

  function managedItem(module, index) {
    const error = errorLine("module-error");
    const body =
      editing === module.id
        ? createModuleForm({
            module,
            save: (changes) => updateModule(module.id, changes),
            onSaved: () => {
              editing = null;
              return refresh();
            },
            onCancel: () => {
              editing = null;
              show();
            },
          })
        : tools(module, index, error);
    return h(
      "li",
      { class: "card module-card", "data-testid": "module-card", "data-module-id": module.id },
      title(module),
      badges(module),
      h("div", { class: "module-body" }, body, error),
    );
  }

  function show() {
    list.replaceChildren(
      ...(modules.length
        ? modules.map((m, i) => (manages ? managedItem(m, i) : moduleItem(m)))
        : [h("li", { class: "empty" }, t("course.modules.empty"))]),
    );
  }

  show();
  const nextPosition = () => Math.min(MAX_POSITION, Math.max(-1, ...modules.map((m) => m.position)) + 1);
  return h(
    "section",
    { class: "course-section modules" },
    h("h2", {}, t("course.modules")),
    list,
    manages && listError,
    manages && announce,
    manages &&
      createModuleForm({
        save: (body) => createModule(courseId, { ...body, position: nextPosition() }),
        onSaved: refresh,
      }),
  );
}
