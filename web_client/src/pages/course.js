// A course's page at /courses/{id}: what the course is, its lectures, videos, modules and
// repository links. The
// course's educators also schedule, start and end lectures and upload videos here.

import { getCourse, listLectures, listLibraryDecks, listResources, listVideos } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { listModules } from "../module-api.js";
import { managesCourse } from "../roles.js";
import { fact } from "../ui.js";
import { createLectures } from "./course/lectures.js";
import { createLmsLink } from "./course/lms.js";
import { createModules } from "./course/modules.js";
import { createPresentations } from "./course/presentations.js";
import { createResources } from "./course/resources.js";
import { createVideos } from "./course/videos.js";

function header(course) {
  return h(
    "div",
    { class: "course-header" },
    h("h1", { lang: course.language, dir: "auto", "data-testid": "course-title" }, course.title),
    h(
      "ul",
      { class: "facts" },
      h("li", {}, h("bdi", { class: "course-code" }, course.code)),
      course.term && fact("fact.term", course.term),
      course.my_role && fact("fact.myRole", t(`role.${course.my_role}`)),
    ),
    h(
      "a",
      { class: "button", href: `/courses/${course.id}/office-hours`, "data-testid": "office-hours-link" },
      t("oh.link"),
    ),
    h(
      "a",
      { class: "button", href: `/courses/${course.id}/attendance`, "data-testid": "course-attendance-link" },
      t("attendance.link"),
    ),
    course.description &&
      h("p", { class: "course-description-full", lang: course.language, dir: "auto" }, course.description),
  );
}

export async function coursePage({ user, params, signal }) {
  const courseId = Number(params.courseId);
  const [course, lectures, videos, modules, resources, decks] = await Promise.all([
    getCourse(courseId),
    listLectures(courseId),
    listVideos({ courseId }),
    listModules(courseId),
    listResources(courseId),
    listLibraryDecks(courseId),
  ]);
  const manages = managesCourse(course, user);
  return h(
    "section",
    { class: "course-page" },
    header(course),
    await createLmsLink({ courseId, manages }),
    createLectures({ courseId, manages, timeZone: user.time_zone, signal }, lectures.items),
    createVideos({ courseId, manages, signal }, videos),
    createModules({ courseId, manages }, modules),
    createPresentations({ courseId, manages, signal }, decks),
    createResources({ courseId, manages }, resources),
  );
}
