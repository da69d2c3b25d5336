// The quiz editor: questions of three kinds (single choice, multiple choice, numeric) with
// their answer key and feedback, formative or summative. It checks what it can before saving,
// and shows the server's own 422 (field by field) beside itself, as the server has the last word.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { describeError, t } from "../../i18n.js";
import { button } from "../../ui.js";
import { blankDraft, blankOption, blankQuestion, draftProblems, move, quizBody } from "./quiz-draft.js";

const KINDS = ["single", "multiple", "numeric"];
let editors = 0; // gives each editor's controls their own ids

// Where a 422's field error is: "Question 2 › options", or just "url".
/** @param {(string | number)[]} location */
function where(location) {
  const parts = [];
  for (let i = 0; i < location.length; i += 1) {
    const part = location[i];
    if (part === "body" || part === "quiz") continue;
    if (part === "questions" && typeof location[i + 1] === "number") {
      parts.push(t("quizEditor.question", { n: Number(location[i + 1]) + 1 }));
      i += 1;
    } else if (part === "options" && typeof location[i + 1] === "number") {
      parts.push(t("quizEditor.option", { n: Number(location[i + 1]) + 1 }));
      i += 1;
    } else {
      parts.push(String(part));
    }
  }
  return parts.join(" › ");
}

// What to say about a refused request: a 422's field errors one by one ("Question 2 › options:
// List should have at least 2 items"), else describeError's words.
/** @param {{ code: string, detail?: string | null, errors?: { location: (string | number)[], message: string }[] }} error */
export function describeProblem(error) {
  if (!error.errors?.length) return describeError(error);
  return error.errors.map((e) => (where(e.location) ? `${where(e.location)}: ${e.message}` : e.message)).join(" ");
}

// A labelled control bound to draft[name]: typing updates the draft, nothing re-renders.
/** @param {string} id @param {string} label @param {any} draft @param {string} name @param {Record<string, unknown>} [attributes] @param {"input" | "textarea"} [tag] */
function bound(id, label, draft, name, attributes = {}, tag = "input") {
  const control = h(tag, { id, dir: "auto", ...attributes });
  control.value = draft[name];
  control.addEventListener("input", () => {
    draft[name] = control.value;
  });
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

// initial: the draft to edit (quiz-draft.js draftOf), else a new quiz's.
export function createQuizEditor(initial = blankDraft()) {
  const draft = initial;
  const prefix = `quiz-editor-${(editors += 1)}`;
  const list = h("ol", { class: "editor-questions" });
  const problems = h("ul", { class: "form-error editor-problems", role: "alert", "data-testid": "quiz-editor-problems" });
  const error = errorLine("quiz-editor-error");

  // Rebuilds the questions, then focuses `focus` (a selector) in it if given.
  function render(focus) {
    list.replaceChildren(...draft.questions.map(questionItem));
    if (focus) list.querySelector(focus)?.focus();
  }

  function optionRow(question, option, index, qid) {
    const id = `${qid}-o${index}`;
    const correct = h("input", { type: "checkbox", id: `${id}-correct`, "data-testid": "option-correct" });
    correct.checked = option.correct;
    correct.addEventListener("change", () => {
      option.correct = correct.checked;
    });
    return h(
      "li",
      { class: "editor-option", "data-testid": "editor-option" },
      bound(`${id}-text`, t("quizEditor.optionText", { n: index + 1 }), option, "text", { maxlength: 1000, "data-testid": "option-text" }),
      h("div", { class: "editor-check" }, correct, h("label", { for: `${id}-correct` }, t("quizEditor.correct"))),
      bound(`${id}-feedback`, t("quizEditor.optionFeedback"), option, "feedback", { maxlength: 2000, "data-testid": "option-feedback" }),
      button("option-remove", t("quizEditor.removeOption"), () => {
        question.options.splice(index, 1);
        render(`#${qid}-add-option`);
      }, { "aria-label": t("quizEditor.removeOptionN", { n: index + 1 }) }),
    );
  }

  function questionItem(question, index) {
    const qid = `${prefix}-q${index}`;
    const n = index + 1;
    const kind = h(
      "select",
      { id: `${qid}-kind`, "data-testid": "question-kind" },
      ...KINDS.map((k) => h("option", { value: k }, t(`quizEditor.kind.${k}`))),
    );
    kind.value = question.kind;
    kind.addEventListener("change", () => {
      question.kind = kind.value;
      render(`#${qid}-kind`);
    });
    const numeric = question.kind === "numeric";
    const answerFields = numeric
      ? h(
          "div",
          { class: "editor-row" },
          bound(`${qid}-answer`, t("quizEditor.answer"), question, "answer", { type: "number", step: "any", dir: "ltr", "data-testid": "question-answer" }),
          bound(`${qid}-tolerance`, t("quizEditor.tolerance"), question, "tolerance", { type: "number", step: "any", min: 0, dir: "ltr", "data-testid": "question-tolerance" }),
        )
      : h(
          "div",
          {},
          h("ul", { class: "editor-options" }, ...question.options.map((o, i) => optionRow(question, o, i, qid))),
          button("option-add", t("quizEditor.addOption"), () => {
            question.options.push(blankOption(question.options));
            render(`#${qid}-o${question.options.length - 1}-text`);
          }, { id: `${qid}-add-option` }),
        );
    return h(
      "li",
      { class: "editor-question card", "data-testid": "editor-question", "data-question": question.id },
      h(
        "fieldset",
        {},
        h("legend", {}, t("quizEditor.question", { n })),
        h(
          "div",
          { class: "editor-row" },
          h("div", { class: "field" }, h("label", { for: `${qid}-kind` }, t("quizEditor.kind")), kind),
          bound(`${qid}-points`, t("quizEditor.points"), question, "points", { type: "number", step: "any", min: 0, dir: "ltr", "data-testid": "question-points" }),
        ),
        bound(`${qid}-prompt`, t("quizEditor.prompt"), question, "prompt", { maxlength: 4000, rows: 2, "data-testid": "question-prompt" }, "textarea"),
        answerFields,
        h(
          "div",
          { class: "editor-row" },
          bound(`${qid}-right`, t("quizEditor.feedbackCorrect"), question, "feedback_correct", { maxlength: 2000, "data-testid": "question-feedback-correct" }),
          bound(`${qid}-wrong`, t("quizEditor.feedbackIncorrect"), question, "feedback_incorrect", { maxlength: 2000, "data-testid": "question-feedback-incorrect" }),
        ),
        h(
          "div",
          { class: "editor-actions" },
          button("question-up", t("quizEditor.up"), () => {
            if (move(draft.questions, index, -1)) render(`#${prefix}-q${index - 1}-up`);
          }, { id: `${qid}-up`, "aria-label": t("quizEditor.upN", { n }), disabled: index === 0 }),
          button("question-down", t("quizEditor.down"), () => {
            if (move(draft.questions, index, 1)) render(`#${prefix}-q${index + 1}-down`);
          }, { id: `${qid}-down`, "aria-label": t("quizEditor.downN", { n }), disabled: index === draft.questions.length - 1 }),
          button("question-remove", t("quizEditor.removeQuestion"), () => {
            draft.questions.splice(index, 1);
            render(`#${prefix}-add-question`);
          }, { class: "button danger", "aria-label": t("quizEditor.removeQuestionN", { n }) }),
        ),
      ),
    );
  }

  const formative = h("input", { type: "radio", name: `${prefix}-mode`, id: `${prefix}-formative`, "data-testid": "quiz-formative" });
  const summative = h("input", { type: "radio", name: `${prefix}-mode`, id: `${prefix}-summative`, "data-testid": "quiz-summative" });
  const attempts = bound(`${prefix}-attempts`, t("quizEditor.maxAttempts"), draft, "max_attempts", { type: "number", min: 1, step: 1, dir: "ltr", "data-testid": "quiz-max-attempts" });
  const showMode = () => {
    formative.checked = !draft.summative;
    summative.checked = draft.summative;
    attempts.hidden = !draft.summative;
  };
  for (const radio of [formative, summative]) {
    radio.addEventListener("change", () => {
      draft.summative = summative.checked;
      if (draft.summative && !draft.max_attempts) draft.max_attempts = "3";
      const input = attempts.querySelector("input");
      if (input) input.value = draft.max_attempts;
      showMode();
    });
  }
  showMode();
  render();

  const element = h(
    "section",
    { class: "quiz-editor", "data-testid": "quiz-editor", "aria-label": t("quizEditor.heading") },
    h(
      "fieldset",
      { class: "editor-mode" },
      h("legend", {}, t("quizEditor.mode")),
      h("div", { class: "editor-check" }, formative, h("label", { for: `${prefix}-formative` }, t("quizEditor.formative"))),
      h("div", { class: "editor-check" }, summative, h("label", { for: `${prefix}-summative` }, t("quizEditor.summative"))),
      attempts,
    ),
    list,
    button("question-add", t("quizEditor.addQuestion"), () => {
      draft.questions.push(blankQuestion(draft.questions));
      render(`#${prefix}-q${draft.questions.length - 1}-prompt`);
    }, { id: `${prefix}-add-question` }),
    problems,
    error,
  );

  // Checks the draft, then runs action(body) with the server's refusal shown here; resolves
  // to { value } when saved, else null.
  async function save(action) {
    const found = draftProblems(draft);
    problems.replaceChildren(
      ...found.map((p) =>
        h("li", { "data-testid": "quiz-editor-problem" }, p.question == null ? t(p.key) : `${t("quizEditor.question", { n: p.question })}: ${t(p.key)}`),
      ),
    );
    if (found.length) {
      error.textContent = "";
      return null;
    }
    return attempt(error, () => action(quizBody(draft)), describeProblem);
  }

  return { element, save };
}
