// Attendance after (or during) a lecture at /lectures/{id}/attendance, and across a course at
// /courses/{id}/attendance: who came, for how long, and how they took part (talk time, chat,
// hands, poll answers). The course's educators see the class, sort it and download it as CSV;
// a student sees their own row.

import { getCourseAttendance, getLectureAttendance } from "../attendance-api.js";
import { getCourse } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { formatDateTime, formatDuration } from "../time.js";
import { sortableTable } from "./attendance/sortable-table.js";

/** @typedef {import("./attendance/sortable-table.js").Column} Column */

const name = (row) => h("bdi", { "data-testid": "attendance-name" }, row.name);
const count = (key) => (row) => h("span", { "data-testid": `attendance-${key}` }, String(row[key]));
const duration = (seconds) => formatDuration(seconds);

/** @param {string} key @param {string} field @returns {Column} */
function countColumn(key, field) {
  return { key: field, label: t(`attendance.col.${key}`), sortValue: (row) => row[field], cell: count(field) };
}

function attendedCell(row) {
  return h(
    "span",
    { "data-testid": "attendance-state", "data-attended": String(row.attended) },
    t(row.attended ? "attendance.present" : "attendance.absent"),
    row.late && h("span", { class: "badge", "data-testid": "attendance-late" }, t("attendance.late")),
    row.here_now && h("span", { class: "badge status-live" }, t("attendance.hereNow")),
  );
}

/** @param {string} timeZone @param {boolean} everyone @returns {Column[]} */
function lectureColumns(timeZone, everyone) {
  const when = (iso) => (iso ? h("time", { datetime: iso }, formatDateTime(iso, timeZone)) : "—");
  return [
    { key: "name", label: t("attendance.col.name"), sortValue: (r) => r.name, cell: name, header: true },
    ...(everyone
      ? [{ key: "role", label: t("attendance.col.role"), sortValue: (r) => r.role, cell: (r) => (r.role ? t(`role.${r.role}`) : "") }]
      : []),
    { key: "attended", label: t("attendance.col.attended"), sortValue: (r) => Number(r.attended), cell: attendedCell },
    { key: "first_join", label: t("attendance.col.firstJoin"), sortValue: (r) => r.first_join ?? "", cell: (r) => when(r.first_join) },
    { key: "last_leave", label: t("attendance.col.lastLeave"), sortValue: (r) => r.last_leave ?? "", cell: (r) => when(r.last_leave) },
    {
      key: "present_seconds",
      label: t("attendance.col.present"),
      sortValue: (r) => r.present_seconds,
      cell: (r) => h("span", { "data-testid": "attendance-present" }, duration(r.present_seconds)),
    },
    {
      key: "joins",
      label: t("attendance.col.joins"),
      sortValue: (r) => r.joins,
      // Each join and leave, on hover and to screen readers.
      cell: (r) =>
        h(
          "span",
          {
            "data-testid": "attendance-joins",
            title: r.stays
              .map((s) => `${formatDateTime(s.joined_at, timeZone)} – ${s.left_at ? formatDateTime(s.left_at, timeZone) : "…"}`)
              .join("\n"),
          },
          String(r.joins),
        ),
    },
    {
      key: "talk_seconds",
      label: t("attendance.col.talk"),
      sortValue: (r) => r.talk_seconds,
      cell: (r) => h("span", { "data-testid": "attendance-talk" }, duration(r.talk_seconds)),
    },
    countColumn("chat", "chat_messages"),
    countColumn("hands", "hands_raised"),
    countColumn("polls", "poll_answers"),
  ];
}

const rowAttributes = (row) => ({ "data-testid": "attendance-row", "data-user-id": row.user_id });

function backLink(courseId) {
  return h("a", { href: `/courses/${courseId}`, "data-testid": "attendance-back" }, t("attendance.back"));
}

export async function lectureAttendancePage({ user, params }) {
  const view = await getLectureAttendance(params.lectureId);
  const students = view.rows.filter((row) => row.role === "student");
  return h(
    "section",
    { class: "attendance-page", "data-testid": "attendance-page" },
    backLink(view.course_id),
    h("h1", { dir: "auto" }, t("attendance.heading", { title: view.title })),
    view.everyone
      ? h(
          "p",
          { "data-testid": "attendance-summary" },
          t("attendance.summary", { present: students.filter((r) => r.attended).length, count: students.length }),
        )
      : h("p", {}, t("attendance.yours")),
    view.csv_url &&
      h("a", { class: "button", href: view.csv_url, download: "", "data-testid": "attendance-csv" }, t("attendance.csv")),
    sortableTable({
      columns: lectureColumns(user.time_zone, view.everyone),
      rows: view.rows,
      rowAttributes,
      testId: "attendance-table",
    }),
  );
}

/** @returns {Column[]} */
function courseColumns() {
  return [
    { key: "name", label: t("attendance.col.name"), sortValue: (r) => r.name, cell: name, header: true },
    {
      key: "lectures_attended",
      label: t("attendance.col.lectures"),
      sortValue: (r) => r.lectures_attended,
      cell: (r) =>
        h(
          "span",
          { "data-testid": "attendance-lectures" },
          t("attendance.lecturesOf", { attended: r.lectures_attended, count: r.lectures_total }),
        ),
    },
    {
      key: "present_seconds",
      label: t("attendance.col.present"),
      sortValue: (r) => r.present_seconds,
      cell: (r) => h("span", { "data-testid": "attendance-present" }, duration(r.present_seconds)),
    },
    {
      key: "talk_seconds",
      label: t("attendance.col.talk"),
      sortValue: (r) => r.talk_seconds,
      cell: (r) => h("span", { "data-testid": "attendance-talk" }, duration(r.talk_seconds)),
    },
    countColumn("chat", "chat_messages"),
    countColumn("hands", "hands_raised"),
    countColumn("polls", "poll_answers"),
  ];
}

export async function courseAttendancePage({ params }) {
  const [course, view] = await Promise.all([getCourse(params.courseId), getCourseAttendance(params.courseId)]);
  return h(
    "section",
    { class: "attendance-page", "data-testid": "attendance-page" },
    backLink(course.id),
    h("h1", { lang: course.language, dir: "auto" }, t("attendance.courseHeading", { title: course.title })),
    h("p", { "data-testid": "attendance-held" }, t("attendance.held", { count: view.lectures_held })),
    view.everyone ? null : h("p", {}, t("attendance.yours")),
    sortableTable({ columns: courseColumns(), rows: view.students, rowAttributes, testId: "attendance-table" }),
  );
}
