// The course's digital-repository links (journal articles, books, datasets, open courses, library
// videos) with their Dublin Core facts; the course's educators add and remove them here.

import { addResource, deleteResource, listResources } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button, fact, field } from "../../ui.js";

const KINDS = ["journal_article", "book", "research", "slides", "dataset", "open_course", "video"];

function target(resource) {
  return resource.video_id ? `/videos/${resource.video_id}` : resource.url;
}

function resourceItem(resource, manages, refresh) {
  const external = !resource.video_id;
  return h(
    "li",
    { class: "card resource-card", "data-testid": "resource-item", "data-kind": resource.kind },
    h(
      "a",
      {
        href: target(resource),
        dir: "auto",
        "data-testid": "resource-link",
        ...(external ? { target: "_blank", rel: "noopener noreferrer" } : {}),
      },
      resource.title,
    ),
    h("span", { class: "badge" }, t(`resource.kind.${resource.kind}`)),
    h(
      "ul",
      { class: "facts" },
      resource.creator && fact("resource.creator", resource.creator),
      resource.date && fact("resource.date", resource.date),
      resource.identifier && fact("resource.identifier", resource.identifier),
      resource.licence && fact("resource.licence", resource.licence),
    ),
    manages &&
      button("resource-delete", t("resource.delete"), async () => {
        await deleteResource(resource.id);
        await refresh();
      }),
  );
}

function resourceForm(courseId, onAdded) {
  const error = errorLine("resource-form-error");
  const input = (name, attributes = {}) =>
    h("input", { id: `resource-${name}`, name, dir: "auto", maxlength: 300, ...attributes });
  const form = h(
    "form",
    { class: "card inline-form", "data-testid": "resource-form" },
    h("h3", {}, t("resource.new")),
    field("resource-title", t("resource.title"), input("title", { required: true })),
    field(
      "resource-kind",
      t("resource.kind"),
      h("select", { id: "resource-kind", name: "kind" }, ...KINDS.map((k) => h("option", { value: k }, t(`resource.kind.${k}`)))),
    ),
    field("resource-url", t("resource.url"), input("url", { type: "url", required: true, maxlength: 2000, dir: "ltr" })),
    field("resource-creator", t("resource.creator"), input("creator")),
    field("resource-date", t("resource.date"), input("date", { maxlength: 32 })),
    field("resource-identifier", t("resource.identifier"), input("identifier")),
    field("resource-licence", t("resource.licence"), input("licence", { maxlength: 100 })),
    error,
    h("button", { type: "submit", class: "button primary" }, t("resource.add")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]));
    if (await attempt(error, () => addResource(courseId, body))) {
      form.reset();
      await onAdded();
    }
  });
  return form;
}

export function createResources({ courseId, manages }, { items }) {
  const list = h("ul", { class: "resource-list", "data-testid": "resource-list" });
  const show = (resources) =>
    list.replaceChildren(
      ...(resources.length
        ? resources.map((r) => resourceItem(r, manages, refresh))
        : [h("li", { class: "empty" }, t("resource.list.empty"))]),
    );
  async function refresh() {
    show((await listResources(courseId)).items);
  }
  show(items);
  return h(
    "section",
    { class: "course-section resources" },
    h("h2", {}, t("course.resources")),
    list,
    manages && resourceForm(courseId, refresh),
  );
}
