// Office hours over REST (booked slots and drop-in queues), and when a meeting's room may be
// entered; the server decides again when someone joins.

import { request } from "../../api.js";

/** @typedef {import("../../api.js").Id} Id */

// The room opens this long before a slot (classroom_server/office_hours.py JOIN_EARLY).
export const JOIN_EARLY_MS = 10 * 60_000;

// Lists answer a page (limit at most 200) with the total; these pages show everything.
const ALL = "limit=200";

/** @param {Id} courseId */
export const listHosts = (courseId) => request("GET", `/courses/${courseId}/office-hours?${ALL}`);
/** @param {Id} educatorId */
export const getAvailability = (educatorId) => request("GET", `/educators/${educatorId}/office-hours`);
// availability: { course_id, time_zone, slot_minutes, cutoff_minutes, windows, blocked_dates }
/** @param {Record<string, unknown>} availability */
export const saveAvailability = (availability) => request("PUT", "/office-hours", availability);

// Free slots from now for `days` days, each with local_start in the caller's own zone. Long
// availability gives more slots than one page: fetch pages until the total (at most MAX_PAGES).
const SLOT_PAGE = 200;
const MAX_PAGES = 10;

/** @param {Id} educatorId @param {number} days */
export async function listSlots(educatorId, days) {
  const start = new Date();
  const end = new Date(start.getTime() + days * 86_400_000);
  /** @type {unknown[]} */
  const items = [];
  /** @type {{ items: unknown[], total: number }} */
  let answer = { items: [], total: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({
      start: start.toISOString(),
      end: end.toISOString(),
      limit: String(SLOT_PAGE),
      offset: String(items.length),
    });
    answer = await request("GET", `/educators/${educatorId}/slots?${query}`);
    items.push(...answer.items);
    if (!answer.items.length || items.length >= answer.total) break;
  }
  return { ...answer, items, offset: 0, limit: items.length };
}

// The page shows this course's bookings that have not ended yet.
/** @param {Id} courseId */
export const listBookings = (courseId) =>
  request("GET", `/bookings?course_id=${courseId}&upcoming=true&${ALL}`);
/** @param {Id} educatorId @param {string} startsAt */
export const book = (educatorId, startsAt) =>
  request("POST", "/bookings", { educator_id: educatorId, starts_at: startsAt });
/** @param {Id} bookingId */
export const cancelBooking = (bookingId) => request("POST", `/bookings/${bookingId}/cancel`);
/** @param {Id} bookingId @param {string} startsAt */
export const rescheduleBooking = (bookingId, startsAt) =>
  request("POST", `/bookings/${bookingId}/reschedule`, { starts_at: startsAt });

/** @param {Id} courseId */
export const listDropIns = (courseId) => request("GET", `/courses/${courseId}/drop-ins?${ALL}`);
/** @param {Id} courseId */
export const openDropIn = (courseId) => request("POST", "/drop-ins", { course_id: courseId });
// The queue's first 200 (queue_total counts everyone waiting).
/** @param {Id} dropInId */
export const getDropIn = (dropInId) => request("GET", `/drop-ins/${dropInId}?${ALL}`);
/** @param {Id} dropInId */
export const admitNext = (dropInId) => request("POST", `/drop-ins/${dropInId}/admit`);
/** @param {Id} dropInId */
export const closeDropIn = (dropInId) => request("POST", `/drop-ins/${dropInId}/close`);
/** @param {Id} dropInId */
export const joinQueue = (dropInId) => request("POST", `/drop-ins/${dropInId}/queue`);
/** @param {Id} dropInId */
export const myPlace = (dropInId) => request("GET", `/drop-ins/${dropInId}/queue/me`);

// "open" from JOIN_EARLY_MS before the slot until its end, else "early" or "over".
/**
 * @param {{ status: string, join_url: string | null, starts_at: string, ends_at: string }} booking
 * @param {number} [now]
 * @returns {"early" | "open" | "over"}
 */
export function meetingState(booking, now = Date.now()) {
  if (booking.status !== "booked" || !booking.join_url) return "over";
  if (now < Date.parse(booking.starts_at) - JOIN_EARLY_MS) return "early";
  return now <= Date.parse(booking.ends_at) ? "open" : "over";
}
