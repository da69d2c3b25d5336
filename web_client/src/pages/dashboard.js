// The home page after login: who you are and a card per course you teach or take, each
// linking to the course's page.

import { calendarLink, listCourses, request, updateMe } from "../api.js";
import { h } from "../dom.js";
import { attempt, errorLine } from "../feedback.js";
import { t } from "../i18n.js";
import { managesCourse } from "../roles.js";
import { control, fact, field } from "../ui.js";

function courseCard(course, user) {
  const showStudents = managesCourse(course, user);
  return h(
    "article",
    { class: "card course-card", "data-testid": "course-card" },
    h(
      "h3",
      { class: "course-title", lang: course.language, dir: "auto" },
      h("a", { href: `/courses/${course.id}`, "data-testid": "course-link" }, course.title),
    ),
    h(
      "ul",
      { class: "facts" },
      h("li", {}, h("bdi", { class: "course-code" }, course.code)),
      course.term && fact("fact.term", course.term),
      course.my_role && fact("fact.myRole", t(`role.${course.my_role}`)),
      showStudents && fact("fact.students", course.student_count),
      h(
        "li",
        {},
        h("a", { href: `/courses/${course.id}/office-hours`, "data-testid": "office-hours-link" }, t("oh.link")),
      ),
    ),
    course.description &&
      h("p", { class: "course-description", lang: course.language, dir: "auto" }, course.description),
  );
}

// The private ICS address (a signed secret URL) for a calendar app to poll without logging in.
function calendar({ url }) {
  const absolute = new URL(url, location.origin).href;
  return h(
    "p",
    { class: "calendar-link" },
    h("a", { href: absolute, "data-testid": "calendar-link" }, t("calendar.link")),
    " ",
    h("span", { class: "muted" }, t("calendar.hint")),
  );
}

// Where booking confirmations, reminders and "live now" notices go; empty: no e-mail.
function notificationEmail(user) {
  const error = errorLine("email-error");
  const saved = h("span", { class: "muted", role: "status", "data-testid": "email-saved" });
  const input = h("input", {
    id: "notify-email",
    name: "email",
    type: "email",
    maxlength: "254",
    dir: "ltr",
    value: user.email ?? "",
    "data-testid": "email-input",
  });
  const form = h(
    "form",
    { class: "notify-email", "data-testid": "email-form" },
    field("notify-email", t("email.label"), input),
    h("button", { type: "submit", class: "button", "data-testid": "email-save" }, t("email.save")),
    saved,
    h("p", { class: "muted" }, t("email.hint")),
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.textContent = "";
    const email = control(form, "email").value.trim();
    if (await attempt(error, () => updateMe({ email }))) saved.textContent = t("email.saved");
  });
  return form;
}

const liveLectures = () => request("GET", "/me/live-lectures");

// Lectures live now in the user's courses, first on the page: the way into a lecture under way.
function liveNow(live) {
  if (!live.length) return null;
  return h(
    "section",
    { class: "live-now card", "data-testid": "live-now" },
    h("h2", {}, t("dashboard.live")),
    h(
      "ul",
      {},
      ...live.map((lecture) =>
        h(
          "li",
          { "data-testid": "live-lecture" },
          h("span", { class: "badge status-live" }, t("lecture.status.live")),
          " ",
          h("bdi", { class: "course-code" }, lecture.course_code),
          " ",
          h("a", { href: `/lectures/${lecture.id}`, dir: "auto", "data-testid": "live-lecture-join" }, lecture.title),
        ),
      ),
    ),
  );
}

export async function dashboardPage({ user }) {
  const [{ items, total }, feed, live] = await Promise.all([listCourses(), calendarLink(), liveLectures()]);
  return h(
    "section",
    { class: "dashboard" },
    h(
      "div",
      { class: "welcome" },
      h("h1", {}, `${t("dashboard.welcome")} `, h("bdi", {}, user.display_name)),
      h(
        "ul",
        { class: "facts" },
        fact("fact.role", t(`role.${user.role}`)),
        fact("fact.timeZone", user.time_zone),
      ),
      calendar(feed),
      notificationEmail(user),
    ),
    liveNow(live.items),
    h("h2", { "data-testid": "dashboard-heading" }, t("dashboard.heading")),
    h(
      "div",
      { class: "course-list", "data-testid": "course-list" },
      ...(items.length
        ? items.map((course) => courseCard(course, user))
        : [h("p", { class: "empty" }, t("dashboard.empty"))]),
    ),
    items.length < total && h("p", { class: "muted" }, t("dashboard.partial", { shown: items.length, count: total })),
  );
}
