// Office hours over REST (booked slots and drop-in queues), and when a meeting's room may be
// entered; the server decides again when someone joins.

import { request } from "../api.js";

// The room opens this long before a slot (classroom_server/office_hours.py JOIN_EARLY).
export const JOIN_EARLY_MS = 10 * 60_000;

export const listHosts = (courseId) => request("GET", `/courses/${courseId}/office-hours`);
export const getAvailability = (educatorId) => request("GET", `/educators/${educatorId}/office-hours`);
// availability: { course_id, time_zone, slot_minutes, cutoff_minutes, windows, blocked_dates }
export const saveAvailability = (availability) => request("PUT", "/office-hours", availability);

// Free slots from now for `days` days, each with local_start in the caller's own zone.
export function listSlots(educatorId, days) {
  const start = new Date();
  const end = new Date(start.getTime() + days * 86_400_000);
  const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString() });
  return request("GET", `/educators/${educatorId}/slots?${query}`);
}

export const listBookings = () => request("GET", "/bookings");
export const book = (educatorId, startsAt) =>
  request("POST", "/bookings", { educator_id: educatorId, starts_at: startsAt });
export const cancelBooking = (bookingId) => request("POST", `/bookings/${bookingId}/cancel`);
export const rescheduleBooking = (bookingId, startsAt) =>
  request("POST", `/bookings/${bookingId}/reschedule`, { starts_at: startsAt });

export const listDropIns = (courseId) => request("GET", `/courses/${courseId}/drop-ins`);
export const openDropIn = (courseId) => request("POST", "/drop-ins", { course_id: courseId });
export const getDropIn = (dropInId) => request("GET", `/drop-ins/${dropInId}`);
export const admitNext = (dropInId) => request("POST", `/drop-ins/${dropInId}/admit`);
export const closeDropIn = (dropInId) => request("POST", `/drop-ins/${dropInId}/close`);
export const joinQueue = (dropInId) => request("POST", `/drop-ins/${dropInId}/queue`);
export const myPlace = (dropInId) => request("GET", `/drop-ins/${dropInId}/queue/me`);

// "open" from JOIN_EARLY_MS before the slot until its end, else "early" or "over".
export function meetingState(booking, now = Date.now()) {
  if (booking.status !== "booked" || !booking.join_url) return "over";
  if (now < Date.parse(booking.starts_at) - JOIN_EARLY_MS) return "early";
  return now <= Date.parse(booking.ends_at) ? "open" : "over";
}
