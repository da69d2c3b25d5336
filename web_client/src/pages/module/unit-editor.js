// What the course's educators get on a module's page: a form to add a unit (a library video,
// a repository link, possibly new, or a quiz written in the quiz editor) and, on each unit,
// rename, move up/down, delete after an inline confirmation, and "Edit quiz". Every change goes
// to the server and the page shows the module as the server then has it (refresh()).

import { addResource, listResources, listVideos } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { addUnit, deleteUnit, getQuizKey, saveQuiz, saveUnitOrder, updateUnit } from "../../module-api.js";
import { button, control, field } from "../../ui.js";
import { draftOf, move } from "./quiz-draft.js";
import { createQuizEditor, describeProblem } from "./quiz-editor.js";

const LINK_KINDS = ["journal_article", "book", "research", "slides", "dataset", "open_course"];
const NEW_LINK = "new";
const MAX_POSITION = 10_000;

const option = (value, label, attributes = {}) => h("option", { value, ...attributes }, label);

function videoOptions(videos) {
  // Selected as well as disabled, so the empty list says why instead of showing nothing.
  if (!videos.length) return [option("", t("unitEditor.noVideos"), { disabled: true, selected: true })];
  return videos.map((v) => option(v.id, v.status === "ready" ? v.title : `${v.title} (${t(`unitEditor.video.${v.status}`)})`));
}

function resourceOptions(resources) {
  const links = resources.filter((r) => r.url);
  return [...links.map((r) => option(r.id, r.title)), option(NEW_LINK, t("unitEditor.newLink"))];
}

// The new-link fields of a reading unit: what POST /courses/{id}/resources needs.
function linkFields() {
  const input = (name, label, attributes = {}) =>
    field(`unit-link-${name}`, label, h("input", { id: `unit-link-${name}`, name: `link_${name}`, dir: "auto", maxlength: 300, "data-testid": `link-${name}`, ...attributes }));
  return h(
    "fieldset",
    { class: "unit-new-link", "data-testid": "unit-new-link" },
    h("legend", {}, t("unitEditor.newLink")),
    input("title", t("resource.title")),
    input("url", t("resource.url"), { type: "url", maxlength: 2000, dir: "ltr" }),
    input("licence", t("resource.licence"), { maxlength: 100 }),
    field(
      "unit-link-kind",
      t("resource.kind"),
      h("select", { id: "unit-link-kind", name: "link_kind", "data-testid": "link-kind" }, ...LINK_KINDS.map((k) => option(k, t(`resource.kind.${k}`)))),
    ),
  );
}

export async function createUnitEditor(module, refresh) {
  const courseId = module.course_id;
  const [videos, resources] = await Promise.all([listVideos({ courseId }), listResources(courseId)]);
  let current = [];
  let focusAfter = null; // a selector in the unit list to focus once it is drawn again
  let carried = null; // { unitId, text }: an error to show again on a unit once redrawn
  let quizEditor = createQuizEditor();

  // Add a unit.
  const kind = h("select", { id: "unit-add-kind", name: "kind", "data-testid": "unit-add-kind" }, ...["video", "reading", "quiz"].map((k) => option(k, t(`module.kind.${k}`))));
  const videoSelect = h("select", { id: "unit-add-video", name: "video_id", "data-testid": "unit-add-video" }, ...videoOptions(videos.items));
  const resourceSelect = h("select", { id: "unit-add-resource", name: "resource_id", "data-testid": "unit-add-resource" }, ...resourceOptions(resources.items));
  const newLink = linkFields();
  const videoSearch = h("input", { type: "search", id: "unit-video-search", dir: "auto", maxlength: 200, "data-testid": "unit-video-search" });
  const videoPart = h(
    "div",
    {},
    h(
      "div",
      { class: "editor-row" },
      field("unit-video-search", t("unitEditor.videoSearch"), videoSearch),
      button("unit-video-find", t("unitEditor.videoFind"), () => findVideos()),
    ),
    field("unit-add-video", t("unitEditor.video"), videoSelect),
  );
  const readingPart = h("div", {}, field("unit-add-resource", t("unitEditor.reading"), resourceSelect), newLink);
  const quizPart = h("div", { class: "unit-add-quiz" }, quizEditor.element);
  const addError = errorLine("unit-add-error");
  const status = h("p", { class: "muted", role: "status", "data-testid": "unit-editor-status" });
  const form = h(
    "form",
    { class: "card inline-form unit-add", "data-testid": "unit-add-form", novalidate: true },
    h("h3", {}, t("unitEditor.add")),
    h(
      "div",
      { class: "editor-row" },
      field("unit-add-kind", t("unitEditor.kind"), kind),
      field("unit-add-title", t("unitEditor.title"), h("input", { id: "unit-add-title", name: "title", dir: "auto", maxlength: 200, required: true, "data-testid": "unit-add-title" })),
    ),
    videoPart,
    readingPart,
    quizPart,
    addError,
    h("button", { type: "submit", class: "button primary", "data-testid": "unit-add-submit" }, t("unitEditor.addSubmit")),
  );
  const showKind = () => {
    videoPart.hidden = kind.value !== "video";
    readingPart.hidden = kind.value !== "reading";
    newLink.hidden = resourceSelect.value !== NEW_LINK;
    quizPart.hidden = kind.value !== "quiz";
  };
  kind.addEventListener("change", showKind);
  resourceSelect.addEventListener("change", showKind);
  showKind();

  // The library's search (title, tags, what the video says and shows) narrows the choice.
  async function findVideos() {
    const found = await attempt(addError, () => listVideos({ courseId, q: videoSearch.value.trim() }));
    if (found) videoSelect.replaceChildren(...videoOptions(found.value.items));
  }
  videoSearch.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // Enter searches here, it does not add the unit
    findVideos();
  });

  const nextPosition = () => Math.min(MAX_POSITION, Math.max(-1, ...current.map((u) => u.position)) + 1);

  // The reading's resource id: the chosen link, or the new link once the server has it.
  async function readingTarget() {
    if (resourceSelect.value !== NEW_LINK) return Number(resourceSelect.value);
    const value = (name) => control(form, `link_${name}`).value.trim();
    const link = { title: value("title"), kind: value("kind"), url: value("url"), licence: value("licence") };
    const answer = await attempt(addError, () => addResource(courseId, link), describeProblem);
    if (!answer) return null;
    resourceSelect.insertBefore(option(answer.value.id, answer.value.title), resourceSelect.lastElementChild);
    resourceSelect.value = String(answer.value.id);
    for (const name of ["title", "url", "licence"]) control(form, `link_${name}`).value = "";
    showKind();
    return answer.value.id;
  }

  async function submit() {
    const title = control(form, "title").value.trim();
    addError.textContent = "";
    if (!title) {
      addError.textContent = t("unitEditor.titleNeeded");
      return;
    }
    const unit = { kind: kind.value, title, position: nextPosition() };
    let added;
    if (kind.value === "quiz") {
      added = await quizEditor.save((quiz) => addUnit(module.id, { ...unit, quiz }));
    } else if (kind.value === "video") {
      if (!videoSelect.value) {
        addError.textContent = t("unitEditor.videoNeeded");
        return;
      }
      added = await attempt(addError, () => addUnit(module.id, { ...unit, video_id: Number(videoSelect.value) }), describeProblem);
    } else {
      const resourceId = await readingTarget();
      if (resourceId == null) return;
      added = await attempt(addError, () => addUnit(module.id, { ...unit, resource_id: resourceId }), describeProblem);
    }
    if (!added) return;
    control(form, "title").value = "";
    if (kind.value === "quiz") {
      quizEditor = createQuizEditor();
      quizPart.replaceChildren(quizEditor.element);
    }
    status.textContent = t("unitEditor.added", { title: added.value.title });
    await refresh();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  // Edit a quiz unit's quiz.
  const quizSlot = h("div", { class: "quiz-edit-slot" });
  async function editQuiz(unit, error) {
    const key = await attempt(error, () => getQuizKey(unit.quiz_id));
    if (!key) return;
    const editor = createQuizEditor(draftOf(key.value));
    const close = () => quizSlot.replaceChildren();
    const heading = h("h3", { dir: "auto", tabindex: -1 }, t("unitEditor.editQuiz", { title: unit.title }));
    quizSlot.replaceChildren(
      h(
        "section",
        { class: "card quiz-edit", "data-testid": "quiz-edit" },
        heading,
        editor.element,
        h(
          "div",
          { class: "editor-actions" },
          button("quiz-edit-save", t("unitEditor.saveQuiz"), async () => {
            if (!(await editor.save((quiz) => saveQuiz(unit.quiz_id, quiz)))) return;
            close();
            status.textContent = t("unitEditor.quizSaved", { title: unit.title });
            await refresh();
          }, { class: "button primary" }),
          button("quiz-edit-cancel", t("unitEditor.cancel"), close),
        ),
      ),
    );
    heading.focus();
  }

  // The tools on one unit of the list.
  function tools(unit, index, item) {
    const error = errorLine("unit-tools-error");
    const bar = h("div", { class: "unit-tools", "data-testid": "unit-tools" });
    const selector = (testId) => `[data-unit-id="${unit.id}"] [data-testid="${testId}"]`;

    async function reorder(step) {
      const ids = current.map((u) => u.id);
      if (!move(ids, index, step)) return;
      if (!(await attempt(error, () => saveUnitOrder(module.id, ids)))) {
        // The list was perhaps stale (a unit added or deleted in another tab): show the
        // server's, with the refusal kept on this unit.
        carried = { unitId: unit.id, text: error.textContent ?? "" };
        await refresh();
        return;
      }
      const at = index + step;
      focusAfter = selector(at === 0 ? "unit-down" : at === ids.length - 1 ? "unit-up" : step < 0 ? "unit-up" : "unit-down");
      await refresh();
    }

    function rename() {
      const input = h("input", { value: unit.title, dir: "auto", maxlength: 200, "aria-label": t("unitEditor.newTitle"), "data-testid": "unit-rename-input" });
      const renameForm = h(
        "form",
        { class: "editor-actions" },
        input,
        h("button", { type: "submit", class: "button primary", "data-testid": "unit-rename-save" }, t("unitEditor.save")),
        button("unit-rename-cancel", t("unitEditor.cancel"), showTools),
      );
      renameForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        const title = input.value.trim();
        if (!title) {
          error.textContent = t("unitEditor.titleNeeded");
          return;
        }
        if (!(await attempt(error, () => updateUnit(unit.id, { title })))) return;
        focusAfter = selector("unit-rename");
        await refresh();
      });
      bar.replaceChildren(renameForm);
      input.select();
    }

    function confirmDelete() {
      const no = button("unit-delete-no", t("unitEditor.no"), () => showTools("unit-delete"));
      const yes = button("unit-delete-yes", t("unitEditor.yes"), async () => {
        if (await attempt(error, () => deleteUnit(unit.id))) await refresh();
      }, { class: "button danger" });
      bar.replaceChildren(
        h("div", { class: "editor-actions", role: "group", "aria-label": t("unitEditor.deleteQuestion", { title: unit.title }) }, h("span", {}, t("unitEditor.deleteConfirm")), yes, no),
      );
      no.focus();
    }

    function showTools(focus) {
      const named = { title: unit.title };
      bar.replaceChildren(
        button("unit-rename", t("unitEditor.rename"), rename, { "aria-label": t("unitEditor.renameN", named) }),
        button("unit-up", t("unitEditor.up"), () => reorder(-1), { "aria-label": t("unitEditor.upN", named), disabled: index === 0 }),
        button("unit-down", t("unitEditor.down"), () => reorder(1), { "aria-label": t("unitEditor.downN", named), disabled: index === current.length - 1 }),
        ...(unit.kind === "quiz" && unit.quiz_id != null
          ? [button("unit-edit-quiz", t("unitEditor.editQuizButton"), () => editQuiz(unit, error), { "aria-label": t("unitEditor.editQuiz", named) })]
          : []),
        button("unit-delete", t("unitEditor.delete"), confirmDelete, { class: "button danger", "aria-label": t("unitEditor.deleteN", named) }),
      );
      if (typeof focus === "string") item.querySelector(`[data-testid="${focus}"]`)?.focus();
    }

    showTools();
    if (carried?.unitId === unit.id) error.textContent = carried.text;
    return h("div", {}, bar, error);
  }

  // Adds the tools to the units renderUnits() has just drawn in `list`.
  function decorate(list, units) {
    current = units;
    units.forEach((unit, index) => {
      const item = list.querySelector(`[data-unit-id="${unit.id}"]`);
      if (item) item.append(tools(unit, index, item));
    });
    if (focusAfter) list.querySelector(focusAfter)?.focus();
    focusAfter = null;
    carried = null;
  }

  const panel = h(
    "section",
    { class: "course-section unit-editor", "data-testid": "unit-editor" },
    h("h2", {}, t("unitEditor.heading")),
    status,
    quizSlot,
    form,
  );
  return { panel, decorate };
}
