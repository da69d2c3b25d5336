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

export async function request(method, path, body) {
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
export const getLecture = (lectureId) => request("GET", `/lectures/${lectureId}`);
export const joinLecture = (lectureId) => request("POST", `/lectures/${lectureId}/join`);

export function uploadDeck(lectureId, file) {
  const form = new FormData();
  form.append("file", file);
  return request("POST", `/lectures/${lectureId}/decks`, form);
}

export const deckPageUrl = (deckId, page) => `/api/v1/decks/${deckId}/pages/${page}`;
