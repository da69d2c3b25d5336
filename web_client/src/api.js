// The REST API under /api/v1: JSON in and out (FormData bodies go as multipart), the session
// cookie, the CSRF header on state changes, and application/problem+json errors turned into
// ApiError.

export const CSRF_COOKIE = "qou_csrf";
const UNSAFE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export function readCookie(name) {
  for (const pair of document.cookie.split(";")) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

// options.keepalive lets the request outlive the page (a save on pagehide).
export async function request(method, path, body, { keepalive = false } = {}) {
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
      body: body === undefined || multipart ? body : JSON.stringify(body),
      keepalive,
    });
  } catch (error) {
    throw new ApiError(0, "network_error", error.message);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.code ?? "http_error",
      data?.detail ?? data?.title ?? response.statusText,
    );
  }
  return data;
}

export const login = (username, password) =>
  request("POST", "/auth/login", { username, password });
export const logout = () => request("POST", "/auth/logout");
export const getMe = () => request("GET", "/me");
export const updateMe = (changes) => request("PATCH", "/me", changes);
export const listCourses = () => request("GET", "/courses?limit=200");
export const getCourse = (courseId) => request("GET", `/courses/${courseId}`);
export const listLectures = (courseId) => request("GET", `/courses/${courseId}/lectures?limit=200`);
// lecture: { title, scheduled_start (ISO 8601 with offset), duration_minutes }
export const scheduleLecture = (courseId, lecture) =>
  request("POST", `/courses/${courseId}/lectures`, lecture);
export const listResources = (courseId) => request("GET", `/courses/${courseId}/resources?limit=200`);
// resource: { title, kind, url | video_id, creator?, date?, identifier?, licence?, language? }
export const addResource = (courseId, resource) =>
  request("POST", `/courses/${courseId}/resources`, resource);
export const deleteResource = (resourceId) => request("DELETE", `/resources/${resourceId}`);
export const calendarLink = () => request("GET", "/me/calendar");
export const getLecture = (lectureId) => request("GET", `/lectures/${lectureId}`);
export const startLecture = (lectureId) => request("POST", `/lectures/${lectureId}/start`);
export const endLecture = (lectureId) => request("POST", `/lectures/${lectureId}/end`);
export const joinLecture = (lectureId) => request("POST", `/lectures/${lectureId}/join`);

// filters: { courseId, q, tag }; empty ones are left out.
export function listVideos({ courseId, q, tag }) {
  const query = new URLSearchParams({ course_id: courseId, limit: 100 });
  if (q) query.set("q", q);
  if (tag) query.set("tag", tag);
  return request("GET", `/videos?${query}`);
}

// The server reads course_id and title before the file, so they go first.
export function uploadVideo(courseId, title, file) {
  const form = new FormData();
  form.append("course_id", String(courseId));
  form.append("title", title);
  form.append("file", file);
  return request("POST", "/videos", form);
}

export const getVideo = (videoId) => request("GET", `/videos/${videoId}`);
// changes: any of { title, description, tags: [...], visibility }
export const updateVideo = (videoId, changes) => request("PATCH", `/videos/${videoId}`, changes);
export const deleteVideo = (videoId) => request("DELETE", `/videos/${videoId}`);
export const listVideoJobs = (videoId) => request("GET", `/videos/${videoId}/jobs?limit=200`);
export const cancelJob = (jobId) => request("POST", `/jobs/${jobId}/cancel`);
export const getPosition = (videoId) => request("GET", `/videos/${videoId}/position`);
export const savePosition = (videoId, seconds) =>
  request("PUT", `/videos/${videoId}/position`, { seconds }, { keepalive: true });

export function uploadDeck(lectureId, file) {
  const form = new FormData();
  form.append("file", file);
  return request("POST", `/lectures/${lectureId}/decks`, form);
}

export const deckPageUrl = (deckId, page) => `/api/v1/decks/${deckId}/pages/${page}`;
