// Office hours of a course at /courses/{id}/office-hours. Educators edit their weekly
// availability, see who booked and run drop-in hours; students book a free slot in their own
// time zone, cancel or move it before the cutoff, and wait in a drop-in queue. Both enter a
// booking's private meeting room from here when it opens.

import { getCourse } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { managesCourse } from "../roles.js";
import { listHosts } from "./office-hours/api.js";
import { createAvailability } from "./office-hours/availability.js";
import { createBookings } from "./office-hours/bookings.js";
import { createDropIn } from "./office-hours/drop-in.js";
import { createSlotPicker } from "./office-hours/slots.js";

export async function officeHoursPage({ user, params, signal }) {
  const courseId = Number(params.courseId);
  const [course, hosts] = await Promise.all([getCourse(courseId), listHosts(courseId)]);
  const manages = managesCourse(course, user);
  let slots = null;
  const bookings = createBookings({
    courseId,
    user,
    signal,
    onReschedule: (booking) => slots?.setRescheduling(booking),
  });
  const sections = [];
  if (manages) {
    sections.push(await createAvailability({ courseId, user }));
  } else {
    slots = createSlotPicker({ hosts: hosts.items, user, onBooked: bookings.reload });
    sections.push(slots.element);
  }
  await Promise.all([bookings.reload(), slots?.reload()]);
  return h(
    "section",
    { class: "course-page office-hours" },
    h(
      "div",
      { class: "course-header" },
      h("h1", { "data-testid": "office-hours-title" }, t("oh.title")),
      h(
        "p",
        {},
        h("a", { href: `/courses/${courseId}`, lang: course.language, dir: "auto" }, course.title),
      ),
    ),
    ...sections,
    bookings.element,
    createDropIn({ courseId, user, signal, manages, hosts: hosts.items }),
  );
}
