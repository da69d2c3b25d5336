// The educator's form for a module's settings: empty to create one on the course page, filled in
// to edit one in place. The mastery threshold is entered as a percent (the API takes 0..1); the
// licence is one of the common Creative Commons licences or any other text. The browser checks
// what it can (required, bounds); the server's problem+json answer, with what it found wrong
// field by field, is shown next to the form.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button, control, field } from "../../ui.js";
import { LICENCES, describeProblem, toPercent, toShare } from "./module-settings.js";

const OTHER = "other";
const DEFAULT_PERCENT = 80;

/** @param {string} id @param {string} name @param {string} label @param {boolean} checked */
function checkbox(id, name, label, checked) {
  return h(
    "label",
    { class: "toggle", for: id },
    h("input", { id, name, type: "checkbox", checked, "data-testid": `module-${name.replace("_", "-")}` }),
    " ",
    label,
  );
}

/** @param {string} prefix @param {string} licence */
function licencePicker(prefix, licence) {
  const known = LICENCES.includes(licence);
  const other = h("input", {
    id: `${prefix}-licence-other`,
    name: "licence_other",
    maxlength: 100,
    dir: "auto",
    value: known ? "" : licence,
    hidden: known || !licence,
    "aria-label": t("moduleForm.licence.otherText"),
    "data-testid": "module-licence-other",
  });
  const select = h(
    "select",
    { id: `${prefix}-licence`, name: "licence_choice", "data-testid": "module-licence" },
    h("option", { value: "", selected: !licence }, t("moduleForm.licence.none")),
    ...LICENCES.map((name) => h("option", { value: name, selected: name === licence, lang: "en" }, name)),
    h("option", { value: OTHER, selected: Boolean(licence) && !known }, t("moduleForm.licence.other")),
  );
  select.addEventListener("change", () => {
    other.hidden = select.value !== OTHER;
    if (!other.hidden) other.focus();
  });
  return field(`${prefix}-licence`, t("moduleForm.licence"), h("div", { class: "licence-picker" }, select, other));
}

// The API's body from the form's controls.
/** @param {HTMLFormElement} form */
function values(form) {
  /** @param {string} name */
  const value = (name) => control(form, name).value;
  /** @param {string} name */
  const checked = (name) => /** @type {HTMLInputElement} */ (control(form, name)).checked;
  const choice = value("licence_choice");
  return {
    title: value("title").trim(),
    description: value("description").trim(),
    sequential: value("sequential") === "sequential",
    mastery_threshold: toShare(Number(value("mastery_threshold"))),
    published: checked("published"),
    open_course: checked("open_course"),
    licence: (choice === OTHER ? value("licence_other") : choice).trim(),
  };
}

/**
 * @param {{
 *   module?: Record<string, any> | null,
 *   save: (body: Record<string, unknown>) => Promise<unknown>,
 *   onSaved: () => Promise<void> | void,
 *   onCancel?: (() => void) | null,
 * }} options `module` to edit (null: a new one); `save` sends the body to the API.
 */
export function createModuleForm({ module = null, save, onSaved, onCancel = null }) {
  const prefix = module ? `module-${module.id}` : "module-new";
  const error = errorLine("module-form-error");
  const submit = h(
    "button",
    { type: "submit", class: "button primary", "data-testid": "module-save" },
    t(module ? "moduleForm.save" : "moduleForm.create"),
  );
  const percent = module ? toPercent(module.mastery_threshold) : DEFAULT_PERCENT;
  const sequential = module ? module.sequential : true;
  const form = h(
    "form",
    {
      class: module ? "inline-form module-form" : "card inline-form module-form",
      "data-testid": module ? "module-edit-form" : "module-new-form",
    },
    h("h3", {}, module ? t("moduleForm.editHeading") : t("moduleForm.newHeading")),
    field(
      `${prefix}-title`,
      t("moduleForm.title"),
      h("input", {
        id: `${prefix}-title`,
        name: "title",
        required: true,
        maxlength: 200,
        dir: "auto",
        value: module?.title ?? "",
        "data-testid": "module-title",
      }),
    ),
    field(
      `${prefix}-description`,
      t("moduleForm.description"),
      h(
        "textarea",
        { id: `${prefix}-description`, name: "description", maxlength: 10000, rows: 3, dir: "auto", "data-testid": "module-description" },
        module?.description ?? "",
      ),
    ),
    field(
      `${prefix}-order`,
      t("moduleForm.order"),
      h(
        "select",
        { id: `${prefix}-order`, name: "sequential", "data-testid": "module-order" },
        h("option", { value: "sequential", selected: sequential }, t("moduleForm.order.sequential")),
        h("option", { value: "free", selected: !sequential }, t("moduleForm.order.free")),
      ),
    ),
    field(
      `${prefix}-threshold`,
      t("moduleForm.threshold"),
      h("input", {
        id: `${prefix}-threshold`,
        name: "mastery_threshold",
        type: "number",
        min: 1,
        max: 100,
        step: 1,
        required: true,
        value: percent,
        "data-testid": "module-threshold",
      }),
    ),
    checkbox(`${prefix}-published`, "published", t("moduleForm.published"), module?.published ?? false),
    checkbox(`${prefix}-open`, "open_course", t("moduleForm.openCourse"), module?.open_course ?? false),
    licencePicker(prefix, module?.licence ?? ""),
    error,
    h(
      "div",
      { class: "form-actions" },
      submit,
      onCancel && button("module-cancel", t("moduleForm.cancel"), onCancel),
    ),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const saved = await attempt(error, () => save(values(form)), describeProblem);
    submit.disabled = false;
    if (!saved) return;
    if (!module) {
      form.reset();
      control(form, "licence_choice").dispatchEvent(new Event("change")); // hides "other" again
    }
    await onSaved();
  });
  return form;
}
