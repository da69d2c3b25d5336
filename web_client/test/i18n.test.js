import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MESSAGES, describeError, language, pluralCategory, t, translate } from "../src/i18n.js";

const ARABIC_CATEGORIES = ["zero", "one", "two", "few", "many", "other"];

/** @param {string} text */
const placeholders = (text) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));

describe("pluralCategory", () => {
  test("Arabic has six categories: 0, 1, 2, 3-10, 11-99, 100-102", () => {
    const picked = [0, 1, 2, 3, 10, 11, 99, 100, 102, 103].map((n) => pluralCategory("ar", n));
    assert.deepEqual(picked, ["zero", "one", "two", "few", "few", "many", "many", "other", "other", "few"]);
  });

  test("English has one and other", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 11, 100].map((n) => pluralCategory("en", n)),
      ["other", "one", "other", "other", "other", "other"],
    );
  });
});

describe("translate", () => {
  test("fills the braces", () => {
    assert.equal(translate("en", "room.slide.alt", { title: "Intro", page: 3 }), "Intro, page 3");
    assert.equal(translate("ar", "room.slide.alt", { title: "Intro", page: 3 }), "Intro، الصفحة 3");
  });

  test("picks the English form for the count", () => {
    assert.equal(translate("en", "quiz.attemptsLeft", { count: 1 }), "1 attempt left.");
    assert.equal(translate("en", "quiz.attemptsLeft", { count: 0 }), "0 attempts left.");
    assert.equal(translate("en", "quiz.attemptsLeft", { count: 2 }), "2 attempts left.");
    assert.equal(
      translate("en", "dashboard.partial", { shown: 1, count: 1 }),
      "Showing 1 of 1 course.",
    );
    assert.equal(
      translate("en", "dashboard.partial", { shown: 200, count: 250 }),
      "Showing 200 of 250 courses.",
    );
  });

  test("picks each of the six Arabic forms for 0, 1, 2, 3, 11 and 100", () => {
    const minutes = [0, 1, 2, 3, 11, 100].map((count) => translate("ar", "course.lecture.minutes", { count }));
    assert.deepEqual(minutes, ["0 دقيقة", "دقيقة واحدة", "دقيقتان", "3 دقائق", "11 دقيقة", "100 دقيقة"]);
    const questions = [0, 1, 2, 3, 11, 100].map((count) => translate("ar", "open.questions", { count }));
    assert.deepEqual(questions, [
      "اختبار من 0 سؤال للطلاب المسجلين.",
      "اختبار من سؤال واحد للطلاب المسجلين.",
      "اختبار من سؤالين للطلاب المسجلين.",
      "اختبار من 3 أسئلة للطلاب المسجلين.",
      "اختبار من 11 سؤالاً للطلاب المسجلين.",
      "اختبار من 100 سؤال للطلاب المسجلين.",
    ]);
  });

  test("a missing Arabic text falls back to English, and an unknown key to itself", () => {
    const key = "test.only.english";
    MESSAGES.en[key] = { one: "{count} thing", other: "{count} things" };
    try {
      // Arabic's category "two" is not among the English forms: "other" stands in.
      assert.equal(translate("ar", key, { count: 2 }), "2 things");
      assert.equal(translate("ar", key, { count: 1 }), "1 thing");
    } finally {
      delete MESSAGES.en[key];
    }
    assert.equal(translate("ar", "no.such.key"), "no.such.key");
  });

  test("t speaks the page language, English until one is set", () => {
    assert.equal(language(), "en");
    assert.equal(t("room.poll.voters", { count: 1 }), "1 voter");
  });
});

describe("the catalogue", () => {
  test("every Arabic text has an English one", () => {
    const missing = Object.keys(MESSAGES.ar).filter((key) => !Object.hasOwn(MESSAGES.en, key));
    assert.deepEqual(missing, []);
  });

  test("counted texts: English has one and other, Arabic all six, both or neither", () => {
    for (const [key, english] of Object.entries(MESSAGES.en)) {
      const arabic = MESSAGES.ar[key];
      if (typeof english === "string") {
        assert.equal(typeof (arabic ?? ""), "string", `${key}: counted in Arabic only`);
        continue;
      }
      assert.deepEqual(Object.keys(english).sort(), ["one", "other"], key);
      assert.ok(arabic && typeof arabic !== "string", `${key}: counted in English only`);
      assert.deepEqual(Object.keys(arabic).sort(), [...ARABIC_CATEGORIES].sort(), key);
    }
  });

  test("a text uses no placeholder its English twin does not fill", () => {
    for (const [key, english] of Object.entries(MESSAGES.en)) {
      const known = new Set(
        [english].flatMap((m) => (typeof m === "string" ? [m] : Object.values(m))).flatMap((m) => [...placeholders(m ?? "")]),
      );
      const arabic = MESSAGES.ar[key];
      if (arabic === undefined) continue;
      for (const text of typeof arabic === "string" ? [arabic] : Object.values(arabic)) {
        for (const name of placeholders(text ?? "")) assert.ok(known.has(name), `${key}: {${name}} in Arabic only`);
      }
    }
  });
});

describe("describeError", () => {
  test("our words for a known code, else the server's detail, else a generic text", () => {
    assert.equal(describeError({ code: "slot_taken", detail: "x" }), MESSAGES.en["error.slot_taken"]);
    assert.equal(describeError({ code: "strange", detail: "The server says so" }), "The server says so");
    assert.equal(describeError({ code: "strange", detail: "" }), MESSAGES.en["error.generic"]);
  });
});
