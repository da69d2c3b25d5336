import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { blankDraft, blankQuestion, draftOf, draftProblems, move, quizBody } from "../../../src/pages/module/quiz-draft.js";

/** @param {import("../../../src/pages/module/quiz-draft.js").Draft} draft */
const keys = (draft) => draftProblems(draft).map((p) => `${p.question}:${p.key.split(".").at(-1)}`);

describe("the quiz draft", () => {
  test("a new quiz is formative with one blank single-choice question", () => {
    const draft = blankDraft();
    assert.equal(draft.summative, false);
    assert.equal(draft.questions.length, 1);
    assert.deepEqual(draft.questions[0].options.map((o) => o.id), ["a", "b"]);
    assert.deepEqual(keys(draft), ["1:prompt", "1:optionText", "1:noCorrect"]);
  });

  test("new questions take ids not in use", () => {
    const draft = blankDraft();
    draft.questions.push(blankQuestion(draft.questions));
    draft.questions[0].id = "q2";
    assert.equal(blankQuestion(draft.questions).id, "q1");
    assert.equal(blankQuestion([draft.questions[0], { ...draft.questions[0], id: "q1" }]).id, "q3");
  });

  test("a choice question needs a correct option, a single one exactly one", () => {
    const draft = blankDraft();
    const q = draft.questions[0];
    q.prompt = "Which?";
    q.options[0].text = "A";
    q.options[1].text = "B";
    assert.deepEqual(keys(draft), ["1:noCorrect"]);
    q.options[0].correct = q.options[1].correct = true;
    assert.deepEqual(keys(draft), ["1:oneCorrect"]);
    q.kind = "multiple";
    assert.deepEqual(keys(draft), []);
  });

  test("a numeric question needs a number; a summative quiz its attempts", () => {
    const draft = blankDraft();
    const q = draft.questions[0];
    Object.assign(q, { kind: "numeric", prompt: "g?", answer: "", tolerance: "-1" });
    draft.summative = true;
    assert.deepEqual(keys(draft), ["null:maxAttempts", "1:answer", "1:tolerance"]);
    Object.assign(q, { answer: "9.81", tolerance: "0.05" });
    draft.max_attempts = "500"; // the server judges the limit
    assert.deepEqual(keys(draft), []);
  });

  test("the body is what the server's Question takes, and a key reads back the same", () => {
    const key = {
      summative: true,
      max_attempts: 2,
      questions: [
        {
          id: "q1",
          kind: "single",
          prompt: "Pick",
          points: 1,
          options: [
            { id: "a", text: "Right", correct: true, feedback: "Yes" },
            { id: "b", text: "Wrong", correct: false, feedback: "No" },
          ],
          answer: null,
          tolerance: 0,
          feedback_correct: "",
          feedback_incorrect: "",
        },
        {
          id: "g",
          kind: "numeric",
          prompt: "g?",
          points: 2,
          options: [],
          answer: 9.81,
          tolerance: 0.05,
          feedback_correct: "Good",
          feedback_incorrect: "Again",
        },
      ],
    };
    const body = quizBody(draftOf(key));
    assert.equal(body.max_attempts, 2);
    assert.deepEqual(body.questions[0], {
      id: "q1",
      kind: "single",
      prompt: "Pick",
      points: 1,
      feedback_correct: "",
      feedback_incorrect: "",
      options: key.questions[0].options,
    });
    assert.deepEqual(body.questions[1], {
      id: "g",
      kind: "numeric",
      prompt: "g?",
      points: 2,
      feedback_correct: "Good",
      feedback_incorrect: "Again",
      answer: 9.81,
      tolerance: 0.05,
    });
    assert.equal(quizBody({ ...draftOf(key), summative: false }).max_attempts, null);
  });

  test("move swaps with a neighbour and stops at the ends", () => {
    const items = [1, 2, 3];
    assert.equal(move(items, 0, -1), false);
    assert.equal(move(items, 0, 1), true);
    assert.deepEqual(items, [2, 1, 3]);
    assert.equal(move(items, 2, 1), false);
  });
});
