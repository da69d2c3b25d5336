// The REST API under /api/v1: JSON in and out (FormData bodies go as multipart), the session
// cookie, the CSRF header on state changes, and application/problem+json errors turned into
// ApiError.

export const CSRF_COOKIE = "qou_csrf";

// A resource's id: a number, or the digits a page's route matched.
/** @typedef {number | string} Id */
const UNSAFE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/** @typedef {{ location: (string | number)[], message: string, type: string }} ProblemField */

export class ApiError extends Error {
  // status 0: the server could not be reached (code "network_error"). errors: what a 422
  // validation_error found wrong, field by field (empty for other problems).
  /** @param {number} status @param {string} code @param {string} detail @param {ProblemField[]} [errors] */
  constructor(status, code, detail, errors = []) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
  }
}

/** @param {string} name */
export function readCookie(name) {
  for (const pair of document.cookie.split(";")) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

// options.keepalive lets the request outlive the page (a save on pagehide). Resolves with the
// server's JSON (null for 204): `any`, as its shapes are the OpenAPI document's (/api/docs),
// which this client does not generate types from.
/**
 * @param {"GET" | "POST" | "PATCH" | "PUT" | "DELETE"} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ keepalive?: boolean }} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, body, { keepalive = false } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json, application/problem+json" };
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
  if (UNSAFE_METHODS.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: multipart ? body : body === undefined ? undefined : JSON.stringify(body),
      keepalive,
    });
  } catch (error) {
    throw new ApiError(0, "network_error", error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.code ?? "http_error",
      data?.detail ?? data?.title ?? response.statusText,
      Array.isArray(data?.errors) ? data.errors : [],
    );
  }
  return data;
}

/** @param {string} username @param {string} password */
export const login = (username, password) =>
  request("POST", "/auth/login", { username, password });
export const logout = () => request("POST", "/auth/logout");
export const getMe = () => request("GET", "/me");
/** @param {Record<string, unknown>} changes */
export const updateMe = (changes) => request("PATCH", "/me", changes);
export const listCourses = () => request("GET", "/courses?limit=200");
/** @param {Id} courseId */
export const getCourse = (courseId) => request("GET", `/courses/${courseId}`);
/** @param {Id} courseId */
export const listLectures = (courseId) => request("GET", `/courses/${courseId}/lectures?limit=200`);
// lecture: { title, scheduled_start (ISO 8601 with offset), duration_minutes }
/** @param {Id} courseId @param {{ title: string, scheduled_start: string, duration_minutes: number }} lecture */
export const scheduleLecture = (courseId, lecture) =>
  request("POST", `/courses/${courseId}/lectures`, lecture);
/** @param {Id} courseId */
export const listResources = (courseId) => request("GET", `/courses/${courseId}/resources?limit=200`);
// resource: { title, kind, url | video_id, creator?, date?, identifier?, licence?, language? }
/** @param {Id} courseId @param {Record<string, unknown>} resource */
export const addResource = (courseId, resource) =>
  request("POST", `/courses/${courseId}/resources`, resource);
/** @param {Id} resourceId */
export const deleteResource = (resourceId) => request("DELETE", `/resources/${resourceId}`);
export const calendarLink = () => request("GET", "/me/calendar");
/** @param {Id} lectureId */
export const getLecture = (lectureId) => request("GET", `/lectures/${lectureId}`);
/** @param {Id} lectureId */
export const startLecture = (lectureId) => request("POST", `/lectures/${lectureId}/start`);
/** @param {Id} lectureId */
export const endLecture = (lectureId) => request("POST", `/lectures/${lectureId}/end`);
/** @param {Id} lectureId */
export const joinLecture = (lectureId) => request("POST", `/lectures/${lectureId}/join`);
/** @param {Id} lectureId */
export const createGuestLink = (lectureId) => request("POST", `/lectures/${lectureId}/guest-links`, {});
// The lecture's guest links; each one still letting guests in carries its `url` to copy again.
/** @param {Id} lectureId */
export const listGuestLinks = (lectureId) => request("GET", `/lectures/${lectureId}/guest-links`);
/** @param {Id} lectureId @param {Id} linkId */
export const revokeGuestLink = (lectureId, linkId) =>
  request("DELETE", `/lectures/${lectureId}/guest-links/${linkId}`);
/** @param {string} token */
export const openGuestLink = (token) => request("POST", "/guest-links/open", { token });
/** @param {string} token @param {string} name */
export const enterAsGuest = (token, name) => request("POST", "/guest-links/enter", { token, name });

// filters: { courseId, q, tag }; empty ones are left out.
/** @param {{ courseId: Id, q?: string, tag?: string }} filters */
export function listVideos({ courseId, q, tag }) {
  const query = new URLSearchParams({ course_id: String(courseId), limit: "100" });
  if (q) query.set("q", q);
  if (tag) query.set("tag", tag);
  return request("GET", `/videos?${query}`);
}

// The server reads course_id and title before the file, so they go first.
/** @param {Id} courseId @param {string} title @param {Blob} file */
export function uploadVideo(courseId, title, file) {
  const form = new FormData();
  form.append("course_id", String(courseId));
  form.append("title", title);
  form.append("file", file);
  return request("POST", "/videos", form);
}

/** @param {Id} videoId */
export const getVideo = (videoId) => request("GET", `/videos/${videoId}`);
// changes: any of { title, description, tags: [...], visibility }
/** @param {Id} videoId @param {Record<string, unknown>} changes */
export const updateVideo = (videoId, changes) => request("PATCH", `/videos/${videoId}`, changes);
/** @param {Id} videoId */
export const deleteVideo = (videoId) => request("DELETE", `/videos/${videoId}`);
/** @param {Id} videoId */
export const listVideoJobs = (videoId) => request("GET", `/videos/${videoId}/jobs?limit=200`);
/** @param {Id} jobId */
export const cancelJob = (jobId) => request("POST", `/jobs/${jobId}/cancel`);
/** @param {Id} videoId */
export const getPosition = (videoId) => request("GET", `/videos/${videoId}/position`);
/** @param {Id} videoId @param {number} seconds */
export const savePosition = (videoId, seconds) =>
  request("PUT", `/videos/${videoId}/position`, { seconds }, { keepalive: true });

/** @param {Id} lectureId @param {Blob} file */
export function uploadDeck(lectureId, file) {
  const form = new FormData();
  form.append("file", file);
  return request("POST", `/lectures/${lectureId}/decks`, form);
}

/** @param {Id} deckId @param {number} page */
export const deckPageUrl = (deckId, page) => `/api/v1/decks/${deckId}/pages/${page}`;

/** @param {Id} courseId */
export const listLibraryDecks = (courseId) => request("GET", `/courses/${courseId}/decks?limit=200`);
/** @param {Id} courseId @param {Blob} file @param {string} name */
export function uploadLibraryDeck(courseId, file, name) {
  const form = new FormData();
  form.append("file", file, name);
  return request("POST", `/courses/${courseId}/decks`, form);
}
/** @param {Id} deckId */
export const getDeck = (deckId) => request("GET", `/decks/${deckId}`);
/** @param {Id} deckId @param {Record<string, unknown>} changes */
export const updateDeck = (deckId, changes) => request("PATCH", `/decks/${deckId}`, changes);
/** @param {Id} deckId */
export const deleteDeck = (deckId) => request("DELETE", `/decks/${deckId}`);

/** @param {Id} videoId */
export const listSubtitles = (videoId) => request("GET", `/videos/${videoId}/subtitles`);
/** @param {Id} videoId @param {string} language @param {string} text */
export const putSubtitles = (videoId, language, text) =>
  request("PUT", `/videos/${videoId}/subtitles/${encodeURIComponent(language)}`, { text });
/** @param {Id} videoId */
export const listChapters = (videoId) => request("GET", `/videos/${videoId}/chapters`);
// chapters: [{ start: seconds, title }, ...] in order of their start; [] removes them.
/** @param {Id} videoId @param {{ start: number, title: string }[]} chapters */
export const putChapters = (videoId, chapters) => request("PUT", `/videos/${videoId}/chapters`, { chapters });
/** @param {Id} videoId @param {string} language */
export const deleteSubtitles = (videoId, language) =>
  request("DELETE", `/videos/${videoId}/subtitles/${encodeURIComponent(language)}`);
