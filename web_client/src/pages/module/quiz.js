// The quiz player: the questions as the server sends them (no answers in the browser), the
// student's answers sent for scoring, and the server's verdict and feedback per question.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { checkAnswers, getQuiz, previewQuiz, submitAttempt } from "../../module-api.js";
import { percent } from "./format.js";

function questionField(question) {
  const name = `q-${question.id}`;
  let inputs;
  if (question.kind === "numeric") {
    inputs = [
      h("input", {
        type: "number",
        step: "any",
        name,
        dir: "ltr",
        "aria-label": t("quiz.answer"),
        "data-testid": "numeric-answer",
      }),
    ];
  } else {
    const type = question.kind === "single" ? "radio" : "checkbox";
    inputs = question.options.map((option) =>
      h(
        "label",
        { class: "quiz-option" },
        h("input", { type, name, value: option.id, "data-testid": `option-${question.id}-${option.id}` }),
        h("span", { dir: "auto" }, option.text),
      ),
    );
  }
  return h(
    "fieldset",
    { class: "quiz-question", "data-testid": "quiz-question", "data-question": question.id },
    h("legend", { dir: "auto" }, question.prompt),
    question.kind === "multiple" && h("p", { class: "muted" }, t("quiz.chooseAll")),
    ...inputs,
  );
}

function readAnswers(form, questions) {
  return questions.map((question) => {
    const inputs = [...form.querySelectorAll(`[name="q-${question.id}"]`)];
    if (question.kind === "numeric") {
      const raw = inputs[0].value.trim();
      return raw === "" ? { question: question.id } : { question: question.id, value: Number(raw) };
    }
    return { question: question.id, choices: inputs.filter((i) => i.checked).map((i) => i.value) };
  });
}

function verdict(result) {
  const summary = t(result.mastered ? "quiz.mastered" : "quiz.notMastered", {
    score: percent(result.score),
    threshold: percent(result.mastery_threshold),
  });
  return h(
    "div",
    { class: "quiz-result card", role: "status", "data-testid": "quiz-result" },
    h("p", { "data-testid": "quiz-score", class: result.mastered ? "mastered" : "" }, summary),
    result.attempts_left != null && h("p", { class: "muted" }, t("quiz.attemptsLeft", { count: result.attempts_left })),
    h(
      "ul",
      { class: "quiz-marks" },
      ...result.results.map((mark) =>
        h(
          "li",
          { class: mark.correct ? "correct" : "incorrect", "data-testid": "quiz-mark", "data-question": mark.question },
          h("strong", {}, t(mark.correct ? "quiz.correct" : "quiz.incorrect")),
          ...mark.feedback.map((text) => h("p", { dir: "auto", "data-testid": "quiz-feedback" }, text)),
        ),
      ),
    ),
  );
}

// onScored() runs after every scored attempt, so the unit list can show what it unlocked.
// With { preview: true } (an educator's preview as a student) the quiz comes as a learner yet
// to start sees it and answers go to the check route: feedback shown, nothing recorded.
/** @param {import("../../api.js").Id} quizId @param {string} title @param {() => void} onScored @param {{ preview?: boolean }} [options] */
export async function createQuizPlayer(quizId, title, onScored, { preview = false } = {}) {
  const quiz = await (preview ? previewQuiz(quizId) : getQuiz(quizId));
  const send = preview ? checkAnswers : submitAttempt;
  const error = errorLine("quiz-error");
  const result = h("div", { class: "quiz-result-slot" });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "quiz-submit" }, t("quiz.submit"));
  const form = h("form", { class: "quiz-form", "data-testid": "quiz-form" }, ...quiz.questions.map(questionField), submit);
  const left = quiz.attempts_left;
  const intro = h(
    "p",
    { class: "muted" },
    t("quiz.intro", { threshold: percent(quiz.mastery_threshold) }),
    left != null ? ` ${t("quiz.attemptsLeft", { count: left })}` : "",
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const answer = await attempt(error, () => send(quizId, readAnswers(form, quiz.questions)));
    submit.disabled = false;
    if (!answer) return;
    result.replaceChildren(verdict(answer.value));
    if (answer.value.attempts_left === 0) submit.disabled = true;
    onScored();
  });
  if (left === 0) submit.disabled = true;
  return h(
    "section",
    { class: "quiz card", "data-testid": "quiz", "aria-label": title },
    h("h2", { dir: "auto" }, title),
    intro,
    preview && h("p", { class: "muted", "data-testid": "quiz-preview-note" }, t("quiz.preview")),
    form,
    error,
    result,
  );
}
