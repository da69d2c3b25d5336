// Open courses, for anyone, logged in or not: /open-courses lists the modules the university
// publishes as open educational resources, /open-courses/{id} shows one with its licence,
// its units and their readings. Quizzes are taken by enrolled students on the module page.

import { getVideo, request } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { button, fact } from "../ui.js";
import { openStream } from "./player/stream.js";

const listOpenCourses = () => request("GET", "/open-courses?limit=200");
const getOpenCourse = (moduleId) => request("GET", `/open-courses/${moduleId}`);

function courseFacts(item) {
  return h(
    "ul",
    { class: "facts" },
    h("li", {}, h("bdi", { class: "course-code" }, item.course_code), " ", h("span", { dir: "auto" }, item.course_title)),
    fact("module.fact.licence", item.licence),
  );
}

export async function openCoursesPage() {
  const { items } = await listOpenCourses();
  const cards = items.map((item) =>
    h(
      "article",
      { class: "card course-card", "data-testid": "open-course-card" },
      h(
        "h3",
        { class: "course-title", lang: item.language, dir: "auto" },
        h("a", { href: `/open-courses/${item.id}`, "data-testid": "open-course-link" }, item.title),
      ),
      courseFacts(item),
    ),
  );
  return h(
    "section",
    { class: "course-page" },
    h("h1", {}, t("open.heading")),
    h("p", { class: "muted" }, t("open.intro")),
    h("div", { class: "course-list" }, ...(cards.length ? cards : [h("p", { class: "empty" }, t("open.empty"))])),
  );
}

// A video unit plays in place, for anyone: hls.js loads only when someone presses Watch.
function videoPlayer(videoId, signal) {
  const box = h("div", { class: "open-video", "data-testid": "open-video" });
  const problem = h("p", { class: "error", role: "alert", hidden: true });
  const fail = (key) => {
    problem.textContent = t(key);
    problem.hidden = false;
  };
  const watch = button("open-watch", t("open.watch"), async () => {
    watch.disabled = true;
    const video = await getVideo(videoId);
    const element = h("video", { class: "player", controls: true, playsinline: true, "data-testid": "player" });
    box.replaceChildren(element, problem);
    const stream = await openStream(element, video.master_url, 0, {
      onQualities: () => {},
      onError: () => fail("player.error"),
    });
    if (stream) signal.addEventListener("abort", () => stream.destroy());
    else fail("player.unsupported");
  });
  box.append(watch);
  return box;
}

function unitItem(unit, signal) {
  const reading = unit.reading;
  return h(
    "li",
    { class: "unit card", "data-testid": "open-unit" },
    h("span", { class: "badge" }, t(`module.kind.${unit.kind}`)),
    h("h3", { dir: "auto" }, unit.title),
    reading?.url &&
      h("a", { href: reading.url, target: "_blank", rel: "noopener noreferrer", class: "button" }, t("module.unit.read")),
    reading?.licence && h("p", { class: "muted" }, t("module.licence", { licence: reading.licence })),
    unit.question_count != null && h("p", { class: "muted" }, t("open.questions", { count: unit.question_count })),
    unit.kind === "video" && unit.video_id != null && videoPlayer(unit.video_id, signal),
  );
}

export async function openCoursePage({ params, user, signal }) {
  const item = await getOpenCourse(Number(params.moduleId));
  return h(
    "section",
    { class: "course-page module-page" },
    h("p", {}, h("a", { href: "/open-courses" }, t("open.all"))),
    h("h1", { lang: item.language, dir: "auto", "data-testid": "open-course-title" }, item.title),
    courseFacts(item),
    item.description && h("p", { class: "course-description-full", dir: "auto" }, item.description),
    h("ol", { class: "unit-list", "data-testid": "open-units" }, ...item.units.map((unit) => unitItem(unit, signal))),
    !user && h("p", {}, h("a", { href: "/", "data-testid": "open-login" }, t("open.login"))),
  );
}
