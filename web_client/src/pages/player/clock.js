// Times in a video as people write them: "1:05", "1:02:03.5", or plain seconds.

import { formatDuration } from "../../time.js";

const TIME = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,3})?)$|^(\d+(?:\.\d{1,3})?)$/;

// "1:05", "1:02:03.5" or "65" as seconds; null for anything else.
/** @param {string} text @returns {number | null} */
export function parseClock(text) {
  const match = TIME.exec(text.trim());
  if (!match) return null;
  const [, hours, minutes, seconds, plain] = match;
  if (plain !== undefined) return Number(plain);
  if (Number(seconds) >= 60 || (hours !== undefined && Number(minutes) >= 60)) return null;
  return Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
}

// The other way: "1:05", with hundredths only when there are some.
/** @param {number} seconds */
export function formatClock(seconds) {
  const hundredths = Math.round(seconds * 100);
  const fraction = hundredths % 100 ? `.${String(hundredths % 100).padStart(2, "0")}` : "";
  return formatDuration(Math.floor(hundredths / 100)) + fraction;
}
