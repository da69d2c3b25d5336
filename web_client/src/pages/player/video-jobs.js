// The video's processing jobs for its educators: kind, state, progress and errors, asked
// again every 3 s while any job waits or runs; those can be cancelled.

import { cancelJob, listVideoJobs } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { button } from "../../ui.js";
import { pause } from "../../wait.js";

const REFRESH_MS = 3000;
const ACTIVE = new Set(["pending", "running"]);

// The known kinds and states get our words; others show as the server names them.
function label(prefix, value) {
  const key = `${prefix}.${value}`;
  const text = t(key);
  return text === key ? value : text;
}

export function createVideoJobs(videoId, signal) {
  const error = errorLine("video-jobs-error");
  const list = h("ul", { class: "job-list" });
  const empty = h("p", { class: "muted", hidden: true }, t("video.jobs.none"));
  const element = h(
    "section",
    { class: "card video-jobs", "data-testid": "video-jobs" },
    h("h2", {}, t("video.jobs.heading")),
    error,
    list,
    empty,
  );
  let wake = null; // ends the current wait early, after a cancel

  function item(job) {
    const active = ACTIVE.has(job.state);
    const percent = Math.round(job.percent);
    return h(
      "li",
      { class: "job-item", "data-testid": "job-item", "data-state": job.state },
      h("span", { class: "job-kind" }, label("video.jobs.kind", job.kind)),
      h("span", { class: `badge state-${job.state}` }, label("video.jobs.state", job.state)),
      h("progress", { max: 100, value: percent, "aria-label": t("video.jobs.progress") }),
      h("span", { class: "job-percent", dir: "ltr" }, `${percent}%`),
      job.attempts > 1 && h("span", { class: "muted" }, t("video.jobs.attempts", { count: job.attempts })),
      active &&
        button("job-cancel", t("video.jobs.cancel"), async (event) => {
          event.currentTarget.disabled = true;
          await attempt(error, () => cancelJob(job.id));
          wake?.abort();
        }),
      job.last_error && h("p", { class: "job-error", dir: "ltr" }, job.last_error),
    );
  }

  async function refresh() {
    while (!signal.aborted) {
      const answer = await attempt(error, () => listVideoJobs(videoId));
      if (answer) {
        const jobs = answer.value.items;
        list.replaceChildren(...jobs.map(item));
        empty.hidden = jobs.length > 0;
        if (!jobs.some((job) => ACTIVE.has(job.state))) return;
      }
      wake = new AbortController();
      await pause(REFRESH_MS, AbortSignal.any([signal, wake.signal]));
    }
  }

  refresh();
  return element;
}
