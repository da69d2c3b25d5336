import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { applyEvent } from "../../src/room/state.js";

/** @typedef {import("../../src/room/state.js").RoomState} RoomState */
/** @typedef {import("../../src/room/state.js").Snapshot} Snapshot */
/** @typedef {import("../../src/room/state.js").Participant} Participant */

/** @param {number} id @param {string} name @param {Partial<Participant>} [more] @returns {Participant} */
const person = (id, name, more = {}) => ({
  id,
  name,
  role: "student",
  presenter: false,
  muted: false,
  connected: true,
  ...more,
});

/** @returns {Snapshot} */
function snapshot() {
  return {
    lecture: { id: 7, title: "Intro", status: "live", course_id: 1 },
    you: { id: 1, name: "Amal", role: "educator", presenter: false, muted: false },
    roster: [person(1, "Amal", { role: "educator" }), person(2, "Badr")],
    decks: [{ id: 1, title: "Whiteboard", kind: "whiteboard", page_count: 1, status: "ready", progress: 100, error: null }],
    slide: { deck_id: 1, page: 1 },
    annotations: [],
    chat: [],
    hands: [{ user_id: 2, name: "Badr", raised_at: "2026-01-01T10:00:00Z" }],
    poll: null,
    locks: { chat: false, annotations: true, room: false },
    recording: false,
    media: { invited: [], meeting: false },
    captions: { captioners: [], lines: [] },
  };
}

/** @param {RoomState | null} state @param {[string, unknown][]} events @returns {RoomState} */
function apply(state, events) {
  for (const [event, data] of events) state = applyEvent(state, event, data);
  assert.ok(state);
  return state;
}

const joined = () => apply(null, [["room:state", snapshot()]]);

/** @param {number} id @param {number} [deck_id] @param {number} [page] */
const annotation = (id, deck_id = 1, page = 1) => ({
  id,
  deck_id,
  page,
  author_id: 1,
  kind: "pen",
  points: [[0.1, 0.2]],
  color: "#ff0000",
  width: 0.01,
  text: null,
});

/** @param {number} id @param {string} text */
const chat = (id, text) => ({
  id,
  from: { id: 2, name: "Badr", role: "student" },
  to: null,
  text,
  sent_at: "2026-01-01T10:00:00Z",
});

/** @param {number} id @param {number | null} userId @param {string} text */
const captionLine = (id, userId, text) => ({
  id,
  user_id: userId,
  name: userId == null ? null : "Badr",
  source: userId == null ? "asr" : "captioner",
  text,
  lang: "ar",
  at: "2026-01-01T10:00:00Z",
});

describe("applyEvent", () => {
  test("a caption preview shows until its final line replaces it; the last lines are kept", () => {
    const start = apply(joined(), [["caption:captioners", { user_ids: [2] }]]);
    assert.deepEqual(start.captions.captioners, [2]);
    const typing = { user_id: 2, name: "Badr", source: "captioner", text: "مرح", lang: "ar" };
    const previewed = apply(start, [["caption:preview", typing]]);
    assert.equal(previewed.captionPreviews["2"].text, "مرح");
    const said = apply(previewed, [["caption:line", captionLine(1, 2, "مرحبا")]]);
    assert.deepEqual(said.captionPreviews, {});
    assert.deepEqual(said.captions.lines.map((l) => l.text), ["مرحبا"]);
    assert.equal(apply(said, [["caption:line", captionLine(1, 2, "مرحبا")]]), said, "a repeat changes nothing");
    const unassigned = apply(previewed, [["caption:captioners", { user_ids: [] }]]);
    assert.deepEqual(unassigned.captionPreviews, {}, "no half-typed line of a former captioner");
    const educatorTyping = { ...typing, user_id: 1, name: "Amal" };
    const kept = apply(start, [["caption:preview", educatorTyping], ["caption:captioners", { user_ids: [] }]]);
    assert.equal(kept.captionPreviews["1"].text, "مرح", "educators caption unassigned");
    const cleared = apply(previewed, [["caption:preview", { ...typing, text: "" }]]);
    assert.deepEqual(cleared.captionPreviews, {}, "an emptied box clears the preview");
    const many = apply(said, [1, 2, 3, 4, 5, 6].map((n) => ["caption:line", captionLine(n + 1, null, `${n}`)]));
    assert.deepEqual(many.captions.lines.map((l) => l.text), ["2", "3", "4", "5", "6"]);
    assert.equal(apply(many, [["room:state", snapshot()]]).captions.lines.length, 0);
  });


  test("roster:muted marks everyone it names, you included when named", () => {
    const start = apply(joined(), [["roster:joined", person(3, "Cyrine")]]);
    const muted = apply(start, [["roster:muted", { user_ids: [2, 3], muted: true }]]);
    assert.deepEqual(
      muted.roster.map((p) => [p.id, p.muted]),
      [[1, false], [2, true], [3, true]],
    );
    assert.equal(muted.you.muted, false);
    const back = apply(muted, [["roster:muted", { user_ids: [3], muted: false }]]);
    assert.deepEqual(
      back.roster.map((p) => p.muted),
      [false, true, false],
    );
  });

  test("nothing applies before the first room:state", () => {
    assert.equal(applyEvent(null, "chat:message", chat(1, "hi")), null);
  });

  test("room:state starts afresh but keeps the media it knew", () => {
    const before = apply(joined(), [
      ["laser:moved", { user_id: 1, x: 0.5, y: 0.5 }],
      ["media:tracks", { tracks: [{ publication_id: "1/a", user_id: 1, kind: "audio", source: "microphone", quality: "high", forwarded: true }] }],
      ["media:speaking", { user_id: 1 }],
    ]);
    const after = apply(before, [["room:state", snapshot()]]);
    assert.deepEqual(after.lasers, {});
    assert.equal(after.tracks.length, 1);
    assert.equal(after.speaking, 1);
    assert.deepEqual(after.reception, {});
    assert.equal(after.lecture.title, "Intro");
  });

  test("unknown events, and names of Object's own members, change nothing", () => {
    const state = joined();
    for (const event of ["no:such", "constructor", "toString", "__proto__", "hasOwnProperty"]) {
      assert.equal(applyEvent(state, event, { x: 1 }), state, event);
    }
  });

  test("never changes its argument", () => {
    const state = joined();
    const copy = structuredClone(state);
    apply(state, [
      ["roster:joined", person(3, "Carim")],
      ["roster:left", { user_id: 2 }],
      ["chat:message", chat(1, "hi")],
      ["laser:moved", { user_id: 1, x: 0.1, y: 0.9 }],
      ["annotation:added", annotation(5)],
      ["media:permissions", { user_id: 2, invited: true }],
    ]);
    assert.deepEqual(state, copy);
  });

  test("the roster stays sorted by name, one entry per user, and your own entry updates you", () => {
    let state = apply(joined(), [["roster:joined", person(3, "Aaron")]]);
    assert.deepEqual(state.roster.map((p) => p.name), ["Aaron", "Amal", "Badr"]);
    state = apply(state, [["roster:updated", person(1, "Amal", { role: "educator", presenter: true, muted: true })]]);
    assert.equal(state.roster.length, 3);
    assert.equal(state.you.presenter, true);
    assert.equal(state.you.muted, true);
    state = apply(state, [["roster:updated", person(2, "Badr", { muted: true })]]);
    assert.equal(state.you.muted, true, "someone else's update leaves you alone");
    assert.equal(state.roster.find((p) => p.id === 2)?.muted, true);
  });

  test("leaving or removal takes the user's hand and laser too", () => {
    for (const event of ["roster:left", "roster:removed"]) {
      const state = apply(joined(), [
        ["laser:moved", { user_id: 2, x: 0.3, y: 0.4 }],
        ["laser:moved", { user_id: 1, x: 0.3, y: 0.4 }],
        [event, { user_id: 2 }],
      ]);
      assert.deepEqual(state.roster.map((p) => p.id), [1], event);
      assert.deepEqual(state.hands, [], event);
      assert.deepEqual(Object.keys(state.lasers), ["1"], event);
    }
  });

  test("chat: a message arrives once, is deleted by id, and at most 500 are kept", () => {
    let state = apply(joined(), [
      ["chat:message", chat(1, "one")],
      ["chat:message", chat(1, "one again")],
      ["chat:message", chat(2, "two")],
      ["chat:deleted", { id: 1 }],
    ]);
    assert.deepEqual(state.chat.map((m) => m.text), ["two"]);
    for (let id = 3; id <= 600; id++) state = apply(state, [["chat:message", chat(id, String(id))]]);
    assert.equal(state.chat.length, 500);
    assert.equal(state.chat[0].id, 101);
    assert.equal(state.chat.at(-1)?.id, 600);
  });

  test("locks and the hand queue are replaced", () => {
    const state = apply(joined(), [
      ["room:locks", { chat: true, annotations: false, room: true }],
      ["hand:queue", { hands: [] }],
    ]);
    assert.deepEqual(state.locks, { chat: true, annotations: false, room: true });
    assert.deepEqual(state.hands, []);
  });

  test("annotations: only the current page's, once each; a page change brings its own", () => {
    let state = apply(joined(), [
      ["annotation:added", annotation(1)],
      ["annotation:added", annotation(1)],
      ["annotation:added", annotation(2, 1, 2)],
      ["annotation:added", annotation(3, 2, 1)],
    ]);
    assert.deepEqual(state.annotations.map((a) => a.id), [1]);
    state = apply(state, [["annotation:added", annotation(4)], ["annotation:removed", { id: 1 }]]);
    assert.deepEqual(state.annotations.map((a) => a.id), [4]);
    assert.equal(apply(state, [["annotation:cleared", { deck_id: 1, page: 2 }]]).annotations.length, 1);
    assert.equal(apply(state, [["annotation:cleared", { deck_id: 1, page: 1 }]]).annotations.length, 0);
    state = apply(state, [["slides:page", { deck_id: 2, page: 3, annotations: [annotation(9, 2, 3)] }]]);
    assert.deepEqual(state.slide, { deck_id: 2, page: 3 });
    assert.deepEqual(state.annotations.map((a) => a.id), [9]);
  });

  test("decks: added in id order; processing never goes backwards", () => {
    /** @param {number} id @param {"processing" | "ready" | "failed"} status @param {number} progress */
    const deck = (id, status, progress) => ({ id, title: `D${id}`, kind: "pdf", page_count: 3, status, progress, error: null });
    let state = apply(joined(), [
      ["slides:deck", deck(5, "processing", 10)],
      ["slides:deck", deck(3, "processing", 50)],
    ]);
    assert.deepEqual(state.decks.map((d) => d.id), [1, 3, 5]);
    state = apply(state, [["slides:deck", deck(3, "processing", 20)]]);
    assert.equal(state.decks.find((d) => d.id === 3)?.progress, 50);
    state = apply(state, [["slides:deck", deck(3, "ready", 100)], ["slides:deck", deck(3, "processing", 90)]]);
    assert.equal(state.decks.find((d) => d.id === 3)?.status, "ready");
    state = apply(state, [["slides:deck", deck(5, "failed", 10)]]);
    assert.equal(state.decks.find((d) => d.id === 5)?.status, "failed");
  });

  test("lasers: shown where they move, gone when hidden", () => {
    let state = apply(joined(), [["laser:moved", { user_id: 1, x: 0.25, y: 0.75 }]]);
    assert.deepEqual(state.lasers, { 1: { x: 0.25, y: 0.75 } });
    state = apply(state, [["laser:moved", { user_id: 1, hide: true }]]);
    assert.deepEqual(state.lasers, {});
  });

  test("polls: counts and closing apply to the current poll only; results keep your choices", () => {
    const poll = { id: 4, question: "Q?", options: ["a", "b"], multiple: false, status: "open", counts: null, total_voters: null, my_choices: null };
    let state = apply(joined(), [
      ["poll:opened", poll],
      ["poll:counts", { poll_id: 4, counts: [1, 2], total_voters: 3 }],
      ["poll:counts", { poll_id: 99, counts: [9, 9], total_voters: 18 }],
      ["poll:voted", { poll_id: 4, choices: [1] }],
      ["poll:closed", { poll_id: 99 }],
    ]);
    assert.deepEqual(state.poll?.counts, [1, 2]);
    assert.equal(state.poll?.total_voters, 3);
    assert.equal(state.poll?.status, "open");
    state = apply(state, [["poll:closed", { poll_id: 4 }]]);
    assert.equal(state.poll?.status, "closed");
    state = apply(state, [["poll:results", { ...poll, status: "published", counts: [1, 2], my_choices: null }]]);
    assert.equal(state.poll?.status, "published");
    assert.deepEqual(state.poll?.my_choices, [1]);
    state = apply(state, [["poll:results", { ...poll, id: 5, status: "published", counts: [0, 0] }]]);
    assert.equal(state.poll?.my_choices, null, "another poll's results carry no choice of yours");
  });

  test("lecture status and recording", () => {
    let state = apply(joined(), [["lecture:started", { status: "live" }], ["recording:state", { recording: true }]]);
    assert.equal(state.lecture.status, "live");
    assert.equal(state.lecture.title, "Intro");
    assert.equal(state.recording, true);
    state = apply(state, [["lecture:ended", {}]]);
    assert.equal(state.lecture.status, "ended");
  });

  test("media: invitations once per user, the speaker, reception", () => {
    let state = apply(joined(), [
      ["media:permissions", { user_id: 2, invited: true }],
      ["media:permissions", { user_id: 2, invited: true }],
      ["media:permissions", { user_id: 3, invited: true }],
    ]);
    assert.deepEqual(state.media.invited, [2, 3]);
    assert.equal(state.media.meeting, false);
    state = apply(state, [["media:permissions", { user_id: 2, invited: false }]]);
    assert.deepEqual(state.media.invited, [3]);
    state = apply(state, [["media:speaking", { user_id: 3 }], ["media:reception", { users: null }]]);
    assert.equal(state.speaking, 3);
    assert.deepEqual(state.reception, {});
    const users = { 2: { audio: true, video: false, state: "connected", audio_only: true } };
    assert.deepEqual(apply(state, [["media:reception", { users }]]).reception, users);
  });
});
