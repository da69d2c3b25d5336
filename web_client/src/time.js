// Dates and durations as people read them: instants shown in the user's own time zone (their
// profile's, not the browser's), and a wall-clock time in that zone turned into an instant.

import { language } from "./i18n.js";

// "12 Mar 2026, 18:00" for an ISO instant, in `timeZone` and the page language.
/** @param {string | number | Date} iso @param {string} timeZone */
export function formatDateTime(iso, timeZone) {
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short", timeZone }).format(
    new Date(iso),
  );
}

// The zone's offset from UTC at `instant` (ms since the epoch), in minutes east of UTC.
/** @param {number} instant @param {string} timeZone */
function offsetMinutes(instant, timeZone) {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(instant)
    .find((part) => part.type === "timeZoneName")?.value; // "GMT+02:00", or "GMT" for zero
  if (name === undefined) return 0;
  const match = /([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, "0");

// "2026-12-01T18:00" (an <input type="datetime-local"> value) read as a wall-clock time in
// `timeZone` → "2026-12-01T18:00:00+02:00".
/** @param {string} local @param {string} timeZone */
export function zonedToIso(local, timeZone) {
  const [date, time] = local.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the guessed instant, then again at the corrected one (they differ only
  // next to a daylight-saving change).
  const offset = offsetMinutes(asUtc - offsetMinutes(asUtc, timeZone) * 60_000, timeZone);
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${date}T${pad(hour)}:${pad(minute)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// 75.4 → "1:15"; 3725 → "1:02:05".
/** @param {number} seconds */
export function formatDuration(seconds) {
  const total = Math.round(seconds);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
