// Starts the app: picks the language, finds out who is logged in, and renders the page for the
// current path inside the layout.

import { ApiError, getMe, logout, updateMe } from "./api.js";
import { h } from "./dom.js";
import { describeError, initialLanguage, language, setLanguage, t } from "./i18n.js";
import { renderLayout } from "./layout.js";
import { courseAttendancePage, lectureAttendancePage } from "./pages/attendance.js";
import { coursePage } from "./pages/course.js";
import { dashboardPage } from "./pages/dashboard.js";
import { deckPage } from "./pages/deck.js";
import { guestPage } from "./pages/guest.js";
import { loginPage } from "./pages/login.js";
import { modulePage } from "./pages/module.js";
import { modulePreviewPage } from "./pages/module/preview.js";
import { openCoursePage, openCoursesPage } from "./pages/open-course.js";
import { officeHoursPage } from "./pages/office-hours.js";
import { playerPage } from "./pages/player.js";
import { roomPage } from "./pages/room.js";

// Pages by location.pathname (the server sends this app for every non-API path): the first
// pattern that matches wins and its named groups become context.params. A page is
// (context) => Node or Promise<Node>. Unknown paths show the dashboard.
/**
 * @typedef {{ user: any, params: Record<string, string>, signal: AbortSignal, onLogin: (me: any) => void }} PageContext
 * `user` is the API's /me answer (any, as every API answer: see api.js request).
 * @typedef {(context: PageContext) => HTMLElement | Promise<HTMLElement>} Page
 * @typedef {[RegExp, Page][]} Routes
 */
/** @type {Routes} */
const routes = [
  [/^\/$/, dashboardPage],
  [/^\/courses\/(?<courseId>\d+)\/?$/, coursePage],
  [/^\/courses\/(?<courseId>\d+)\/office-hours\/?$/, officeHoursPage],
  [/^\/lectures\/(?<lectureId>\d+)\/?$/, roomPage],
  [/^\/lectures\/(?<lectureId>\d+)\/attendance\/?$/, lectureAttendancePage],
  [/^\/courses\/(?<courseId>\d+)\/attendance\/?$/, courseAttendancePage],
  [/^\/videos\/(?<videoId>\d+)\/?$/, playerPage],
  [/^\/modules\/(?<moduleId>\d+)\/?$/, modulePage],
  [/^\/modules\/(?<moduleId>\d+)\/preview\/?$/, modulePreviewPage],
];

// Pages anyone may open, logged in or not: the open courses, a shared presentation, a guest
// link.
/** @type {Routes} */
const publicRoutes = [
  [/^\/guest\/?$/, guestPage],
  [/^\/open-courses\/?$/, openCoursesPage],
  [/^\/open-courses\/(?<moduleId>\d+)\/?$/, openCoursePage],
  [/^\/decks\/(?<deckId>\d+)\/?$/, deckPage],
];

/**
 * @param {string} pathname
 * @param {Routes} [table]
 * @param {Page} [fallback]
 */
function route(pathname, table = [...publicRoutes, ...routes], fallback = dashboardPage) {
  for (const [pattern, page] of table) {
    const match = pattern.exec(pathname);
    if (match) return { page, params: match.groups ?? {} };
  }
  return { page: fallback, params: {} };
}

let user = null;
let main = null;
let renderCount = 0;
// Aborted when the page is replaced (language switch, login, logout): pages with live
// connections close them on its "abort" event.
let pageScope = new AbortController();

function showError(message) {
  main.prepend(h("p", { class: "error", role: "alert" }, message));
}

async function render() {
  const thisRender = ++renderCount;
  main = renderLayout(document.getElementById("app"), {
    user,
    onLanguage: switchLanguage,
    onLogout: logOut,
  });
  const { page, params } = user ? route(location.pathname) : route(location.pathname, publicRoutes, loginPage);
  pageScope.abort();
  pageScope = new AbortController();
  main.replaceChildren(h("p", { class: "muted", role: "status" }, t("loading")));
  let content;
  try {
    content = await page({ user, params, signal: pageScope.signal, onLogin: logIn });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (thisRender !== renderCount) return;
    if (error.status === 401) {
      user = null; // the session ended: back to the login form
      await render();
    } else {
      main.replaceChildren();
    }
    showError(describeError(error));
    return;
  }
  if (thisRender !== renderCount) return; // a newer render (e.g. a language switch) won
  main.replaceChildren(content);
  const autofocus = content.querySelector("[autofocus]");
  if (autofocus instanceof HTMLElement) autofocus.focus();
}

function logIn(me) {
  user = me;
  if (me.preferred_language !== language()) setLanguage(me.preferred_language);
  render();
}

function switchLanguage(lang) {
  setLanguage(lang);
  if (user) {
    user = { ...user, preferred_language: lang };
    // Remembered locally already; the profile update is best effort.
    updateMe({ preferred_language: lang }).catch(() => {});
  }
  render();
}

async function logOut() {
  try {
    await logout();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showError(describeError(error));
    return;
  }
  user = null;
  render();
}

async function start() {
  setLanguage(initialLanguage());
  let startError = null;
  try {
    user = await getMe();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 401) startError = error;
  }
  await render();
  if (startError) showError(describeError(startError));
}

start();
