// The LMS (LTI 1.3) routes of the REST API, on top of api.js's request(): same cookie, CSRF
// header and problem+json errors.

import { request } from "./api.js";

/** @typedef {import("./api.js").Id} Id */

// { linked, roster, gradebook, synced_at } (the course's educators only).
/** @param {Id} courseId */
export const getLmsLink = (courseId) => request("GET", `/courses/${courseId}/lti`);
// { enrolled, educators, skipped }: the LMS's roster read and enrolled.
/** @param {Id} courseId */
export const syncRoster = (courseId) => request("POST", `/courses/${courseId}/lti/roster-sync`);
