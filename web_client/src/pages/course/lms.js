// For the educators of a course that an LMS launched (LTI 1.3): what the LMS gave (roster,
// gradebook) and a button that reads the LMS's roster again and enrols it.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { getLmsLink, syncRoster } from "../../lti-api.js";
import { button } from "../../ui.js";

/** @param {number} courseId @param {any} link */
function linkCard(courseId, link) {
  const error = errorLine("lms-sync-error");
  const result = h("p", { "data-testid": "lms-sync-result", role: "status" });
  const sync =
    link.roster &&
    button("lms-sync", t("lms.sync"), async () => {
      result.textContent = "";
      const done = await attempt(error, () => syncRoster(courseId));
      if (done) result.textContent = t("lms.synced", { count: done.value.enrolled, educators: done.value.educators });
    });
  return h(
    "section",
    { class: "card lms-link", "data-testid": "lms-link" },
    h("h2", {}, t("lms.title")),
    h("p", {}, t(link.gradebook ? "lms.gradebook" : "lms.noGradebook")),
    sync || h("p", {}, t("lms.noRoster")),
    result,
    error,
  );
}

// An empty node for courses no LMS launched, and for people who do not manage the course.
/** @param {{ courseId: number, manages: boolean }} options */
export async function createLmsLink({ courseId, manages }) {
  if (!manages) return h("div", {});
  const link = await getLmsLink(courseId);
  return link.linked ? linkCard(courseId, link) : h("div", {});
}
