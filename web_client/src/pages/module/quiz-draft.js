// A quiz being written, apart from the page: blank questions and options with fresh ids, the
// checks worth making before asking the server (a choice question needs a correct option...),
// and the body PUT /quizzes/{id} takes, shaped as classroom_server/mastery.py's Question.
// The server stays the judge of its limits (lengths, points, attempts); its 422 is shown too.

/** @typedef {"single" | "multiple" | "numeric"} QuestionKind */
/** @typedef {{ id: string, text: string, correct: boolean, feedback: string }} DraftOption */
/**
 * A question as the editor holds it: numbers as typed (strings), options kept while the kind is
 * numeric so switching back does not lose them.
 * @typedef {{
 *   id: string, kind: QuestionKind, prompt: string, points: string, options: DraftOption[],
 *   answer: string, tolerance: string, feedback_correct: string, feedback_incorrect: string,
 * }} DraftQuestion
 */
/** @typedef {{ summative: boolean, max_attempts: string, questions: DraftQuestion[] }} Draft */
/** @typedef {{ question: number | null, key: string }} DraftProblem question: 1-based, or null for the quiz */

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** The first id made of `prefix` and a number (or a letter) that `taken` does not hold. */
/** @param {string[]} taken @param {string} prefix @param {boolean} letters */
function freshId(taken, prefix, letters) {
  const used = new Set(taken);
  for (let n = 0; ; n += 1) {
    const id = letters && n < LETTERS.length ? LETTERS[n] : `${prefix}${n + 1}`;
    if (!used.has(id)) return id;
  }
}

/** @param {DraftOption[]} options @returns {DraftOption} */
export function blankOption(options) {
  return { id: freshId(options.map((o) => o.id), "o", true), text: "", correct: false, feedback: "" };
}

/** Two empty options, the fewest a choice question has. @returns {DraftOption[]} */
function twoOptions() {
  const first = blankOption([]);
  return [first, blankOption([first])];
}

/** @param {DraftQuestion[]} questions @returns {DraftQuestion} */
export function blankQuestion(questions) {
  return {
    id: freshId(questions.map((q) => q.id), "q", false),
    kind: "single",
    prompt: "",
    points: "1",
    options: twoOptions(),
    answer: "",
    tolerance: "0",
    feedback_correct: "",
    feedback_incorrect: "",
  };
}

/** A new quiz: formative, one blank question. @returns {Draft} */
export function blankDraft() {
  return { summative: false, max_attempts: "", questions: [blankQuestion([])] };
}

/** The draft of a quiz the server keeps (GET /quizzes/{id}/key). */
/**
 * @param {{ summative: boolean, max_attempts: number | null, questions: any[] }} key
 * @returns {Draft}
 */
export function draftOf(key) {
  return {
    summative: key.summative,
    max_attempts: key.max_attempts == null ? "" : String(key.max_attempts),
    questions: key.questions.map((q) => ({
      id: q.id,
      kind: q.kind,
      prompt: q.prompt,
      points: String(q.points),
      options: q.kind === "numeric" ? twoOptions() : q.options.map((/** @type {DraftOption} */ o) => ({ ...o })),
      answer: q.answer == null ? "" : String(q.answer),
      tolerance: String(q.tolerance ?? 0),
      feedback_correct: q.feedback_correct ?? "",
      feedback_incorrect: q.feedback_incorrect ?? "",
    })),
  };
}

/** @param {string} text */
const number = (text) => (text.trim() === "" ? NaN : Number(text));

/** Moves item `index` of `items` by `step` (-1 up, 1 down), in place; false at either end. */
/** @template T @param {T[]} items @param {number} index @param {number} step */
export function move(items, index, step) {
  const to = index + step;
  if (to < 0 || to >= items.length) return false;
  [items[index], items[to]] = [items[to], items[index]];
  return true;
}

/** What is wrong with the draft before the server is asked, as i18n keys. */
/** @param {Draft} draft @returns {DraftProblem[]} */
export function draftProblems(draft) {
  /** @type {DraftProblem[]} */
  const problems = [];
  if (draft.questions.length === 0) problems.push({ question: null, key: "quizEditor.problem.noQuestions" });
  if (draft.summative && !Number.isInteger(number(draft.max_attempts))) {
    problems.push({ question: null, key: "quizEditor.problem.maxAttempts" });
  }
  draft.questions.forEach((q, index) => {
    const at = (/** @type {string} */ key) => problems.push({ question: index + 1, key });
    if (!q.prompt.trim()) at("quizEditor.problem.prompt");
    if (!Number.isFinite(number(q.points))) at("quizEditor.problem.points");
    if (q.kind === "numeric") {
      if (!Number.isFinite(number(q.answer))) at("quizEditor.problem.answer");
      const tolerance = number(q.tolerance);
      if (!Number.isFinite(tolerance) || tolerance < 0) at("quizEditor.problem.tolerance");
      return;
    }
    if (q.options.length < 2) at("quizEditor.problem.twoOptions");
    if (q.options.some((o) => !o.text.trim())) at("quizEditor.problem.optionText");
    const right = q.options.filter((o) => o.correct).length;
    if (right === 0) at("quizEditor.problem.noCorrect");
    else if (q.kind === "single" && right > 1) at("quizEditor.problem.oneCorrect");
  });
  return problems;
}

/** The body of POST /modules/{id}/units (its `quiz`) and PUT /quizzes/{id}. */
/** @param {Draft} draft */
export function quizBody(draft) {
  return {
    summative: draft.summative,
    max_attempts: draft.summative ? number(draft.max_attempts) : null,
    questions: draft.questions.map((q) => {
      const common = {
        id: q.id,
        kind: q.kind,
        prompt: q.prompt.trim(),
        points: number(q.points),
        feedback_correct: q.feedback_correct.trim(),
        feedback_incorrect: q.feedback_incorrect.trim(),
      };
      if (q.kind === "numeric") return { ...common, answer: number(q.answer), tolerance: number(q.tolerance) };
      return {
        ...common,
        options: q.options.map((o) => ({ id: o.id, text: o.text.trim(), correct: o.correct, feedback: o.feedback.trim() })),
      };
    }),
  };
}
