// Numbers on the module pages, in the page's language.

import { language } from "../../i18n.js";

/** @param {number | null | undefined} share */
export const percent = (share) =>
  share == null ? "–" : new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 0 }).format(share);
