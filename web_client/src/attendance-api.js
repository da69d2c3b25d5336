// The attendance endpoints of the REST API (see api.js for the transport).

import { request } from "./api.js";

/** @typedef {import("./api.js").Id} Id */

/** @param {Id} lectureId */
export const getLectureAttendance = (lectureId) => request("GET", `/lectures/${lectureId}/attendance`);
/** @param {Id} courseId */
export const getCourseAttendance = (courseId) => request("GET", `/courses/${courseId}/attendance`);
