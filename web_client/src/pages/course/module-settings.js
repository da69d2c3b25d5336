// What the module form shows and sends, apart from the DOM: the licences it offers, the
// threshold as a percent (typed) or a share (the API's 0..1), and a validation problem told
// field by field in the page's words.

import { describeError, t } from "../../i18n.js";

export const LICENCES = ["CC BY 4.0", "CC BY-SA 4.0", "CC BY-NC 4.0", "CC BY-NC-SA 4.0", "CC0 1.0"];

// The threshold as the API takes it (0..1) from the percent typed in, and back.
/** @param {number} percent */
export const toShare = (percent) => Math.round(percent * 100) / 10000;
/** @param {number} share */
export const toPercent = (share) => Math.round(share * 100);

// The label of each field the server may name in a validation error.
/** @type {Record<string, string>} */
const FIELD_LABELS = {
  title: "moduleForm.title",
  description: "moduleForm.description",
  sequential: "moduleForm.order",
  mastery_threshold: "moduleForm.threshold",
  published: "moduleForm.published",
  open_course: "moduleForm.openCourse",
  licence: "moduleForm.licence",
};

/**
 * The problem's description, then each field the server found wrong with its message.
 * @param {{ code: string, detail?: string | null, errors?: import("../../api.js").ProblemField[] }} error
 */
export function describeProblem(error) {
  const fields = (error.errors ?? []).map(({ location, message }) => {
    const name = String(location.at(-1));
    const label = Object.hasOwn(FIELD_LABELS, name) ? t(FIELD_LABELS[name]) : null;
    return label ? `${label}: ${message}` : message;
  });
  return fields.length ? `${describeError(error)}: ${fields.join("; ")}` : describeError(error);
}
