// Tells the user why a REST action on a page did not happen, next to where they acted.

import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { describeError } from "./i18n.js";

// An empty line that shows the latest error (hidden while empty).
export const errorLine = (testId) => h("p", { class: "form-error", role: "alert", "data-testid": testId });

// Runs action(); resolves to { value } on success. An ApiError is shown in `line` (described
// by `describe`) and resolves to null; other errors are bugs and are thrown.
export async function attempt(line, action, describe = describeError) {
  line.textContent = "";
  try {
    return { value: await action() };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    line.textContent = describe(error);
    return null;
  }
}
