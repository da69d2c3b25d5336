// How each server event changes the room state (shapes in docs/protocol.md). Pure: returns the
// next state and never changes its argument. The state is `room:state` plus `lasers`, the
// pointers presenters show now, by user id, and what room/media.js adds.

/**
 * The shapes of docs/protocol.md ("Shapes", `room:state`, the media events).
 * @typedef {{ id: number, name: string, role: "educator" | "student", presenter: boolean, muted: boolean, connected: boolean }} Participant
 * @typedef {{ id: number, from: { id: number, name: string, role: string }, to: { id: number, name: string } | null, text: string, sent_at: string }} ChatMessage
 * @typedef {{ id: number, title: string, kind: "whiteboard" | "pdf" | "image", page_count: number, status: "processing" | "ready" | "failed", progress: number, error: string | null }} Deck
 * @typedef {"pen" | "highlighter" | "line" | "rectangle" | "text"} AnnotationKind
 * @typedef {{ id: number, deck_id: number, page: number, author_id: number, kind: AnnotationKind, points: [number, number][], color: string, width: number, text: string | null }} Annotation
 * @typedef {"open" | "closed" | "published"} PollStatus
 * @typedef {{ id: number, question: string, options: string[], multiple: boolean, status: PollStatus, counts: number[] | null, total_voters: number | null, my_choices: number[] | null }} Poll
 * @typedef {{ user_id: number, name: string, raised_at: string }} Hand
 * @typedef {{ deck_id: number, page: number }} SlidePosition
 * @typedef {{ id: number, title: string, status: string, course_id: number }} LectureSummary
 * @typedef {{ id: number, name: string, role: "educator" | "student", presenter: boolean, muted: boolean }} You
 * @typedef {{ publication_id: string, user_id: number, kind: "audio" | "video", source: "camera" | "microphone" | "screen", quality: "high" | "low", forwarded: boolean }} Track
 * @typedef {{ audio: boolean, video: boolean, state: "connected" | "connecting" | "none", audio_only: boolean }} Reception
 * @typedef {{ user_id: number, name: string, guest: boolean, since: string }} Waiting
 * @typedef {{ enabled: boolean, waiting: Waiting[] }} Lobby
 * @typedef {{ id: number, user_id: number | null, name: string | null, source: "captioner" | "asr", text: string, lang: string | null, at: string }} CaptionLine
 * @typedef {{ user_id: number | null, name: string | null, source: "captioner" | "asr", text: string, lang: string | null }} CaptionPreview
 * @typedef {{ captioners: number[], lines: CaptionLine[] }} Captions
 * @typedef {{ lecture: LectureSummary, you: You, roster: Participant[], decks: Deck[], slide: SlidePosition, annotations: Annotation[], chat: ChatMessage[], hands: Hand[], poll: Poll | null, locks: { chat: boolean, annotations: boolean, room: boolean }, recording: boolean, media: { invited: number[], meeting: boolean }, lobby?: Lobby, captions: Captions, breakout?: import("./breakout.js").Breakout | null }} Snapshot
 * @typedef {{ x: number, y: number }} Laser
 * @typedef {Snapshot & { lasers: Record<string, Laser>, tracks: Track[], speaking: number | null, reception: Record<string, Reception>, unmuteRequest: { by: string } | null, captionPreviews: Record<string, CaptionPreview>, breakoutNotice?: import("./breakout.js").BreakoutNotice | null }} RoomState
 *
 * Each event's payload: the server's, and the three applied locally (see room/client.js).
 * @typedef {{
 *   "room:state": Snapshot,
 *   "roster:joined": Participant,
 *   "roster:updated": Participant,
 *   "roster:muted": { user_ids: number[], muted: boolean },
 *   "participant:unmute_requested": { by: string },
 *   "roster:left": { user_id: number },
 *   "roster:removed": { user_id: number },
 *   "chat:message": ChatMessage,
 *   "chat:deleted": { id: number },
 *   "room:locks": { chat: boolean, annotations: boolean, room: boolean },
 *   "hand:queue": { hands: Hand[] },
 *   "slides:page": SlidePosition & { annotations: Annotation[] },
 *   "slides:deck": Deck,
 *   "annotation:added": Annotation,
 *   "annotation:removed": { id: number },
 *   "annotation:cleared": SlidePosition,
 *   "laser:moved": { user_id: number, x: number, y: number, hide?: undefined } | { user_id: number, hide: true },
 *   "poll:opened": Poll,
 *   "poll:counts": { poll_id: number, counts: number[], total_voters: number },
 *   "poll:closed": { poll_id: number },
 *   "poll:results": Poll,
 *   "poll:voted": { poll_id: number, choices: number[] },
 *   "lecture:started": { status: string },
 *   "lecture:ended": unknown,
 *   "recording:state": { recording: boolean },
 *   "media:tracks": { tracks: Track[] },
 *   "media:permissions": { user_id: number, invited: boolean },
 *   "media:speaking": { user_id: number | null },
 *   "media:reception": { users?: Record<string, Reception> | null },
 *   "room:lobby": { enabled: boolean },
 *   "lobby:waiting": { waiting: Waiting[] },
 *   "caption:captioners": { user_ids: number[] },
 *   "caption:line": CaptionLine,
 *   "caption:preview": CaptionPreview,
 * }} RoomEvents
 */

import { BREAKOUT_REDUCERS } from "./breakout.js";

const MAX_CHAT = 500;
const MAX_CAPTION_LINES = 5; // as many as room:state brings: the overlay shows the last few

/** @param {{ name: string }} a @param {{ name: string }} b */
const byName = (a, b) => a.name.localeCompare(b.name);
/** @param {RoomState} state @param {SlidePosition} position */
const onCurrentPage = (state, { deck_id, page }) =>
  state.slide.deck_id === deck_id && state.slide.page === page;

/**
 * @param {RoomState} state
 * @param {Participant} participant
 * @returns {RoomState}
 */
function withParticipant(state, participant) {
  const others = state.roster.filter((p) => p.id !== participant.id);
  const you =
    participant.id === state.you.id
      ? { ...state.you, presenter: participant.presenter, muted: participant.muted }
      : state.you;
  return { ...state, you, roster: [...others, participant].sort(byName) };
}

/**
 * @param {RoomState} state
 * @param {number} userId
 * @returns {RoomState}
 */
function withoutParticipant(state, userId) {
  return {
    ...state,
    roster: state.roster.filter((p) => p.id !== userId),
    hands: state.hands.filter((hand) => hand.user_id !== userId),
    lasers: Object.fromEntries(Object.entries(state.lasers).filter(([id]) => Number(id) !== userId)),
  };
}

// Progress events and the upload's own answer may arrive in any order: never go backwards.
/**
 * @param {RoomState} state
 * @param {Deck} deck
 * @returns {RoomState}
 */
function withDeck(state, deck) {
  const old = state.decks.find((d) => d.id === deck.id);
  if (!old) return { ...state, decks: [...state.decks, deck].sort((a, b) => a.id - b.id) };
  const stale =
    deck.status === "processing" && (old.status !== "processing" || deck.progress < old.progress);
  return stale ? state : { ...state, decks: state.decks.map((d) => (d.id === deck.id ? deck : d)) };
}

/**
 * @param {RoomState} state
 * @param {number} pollId
 * @param {Partial<Poll>} changes
 * @returns {RoomState}
 */
function withPoll(state, pollId, changes) {
  return state.poll?.id === pollId ? { ...state, poll: { ...state.poll, ...changes } } : state;
}

/**
 * "room:state" is the one reducer that may meet no state yet.
 * @type {{ [E in keyof RoomEvents]: (state: E extends "room:state" ? RoomState | null : RoomState, data: RoomEvents[E]) => RoomState }}
 */
const REDUCERS = {
  "room:state": (state, snapshot) => ({
    ...snapshot,
    lasers: {},
    tracks: state?.tracks ?? [],
    speaking: state?.speaking ?? null,
    reception: state?.reception ?? {},
    unmuteRequest: state?.unmuteRequest ?? null,
    captionPreviews: {},
    breakoutNotice: snapshot.breakout?.notice ?? null,
  }),
  // A new object each time, so a second request after a dismissed one shows again.
  "participant:unmute_requested": (state, { by }) => ({ ...state, unmuteRequest: { by } }),
  "roster:joined": withParticipant,
  "roster:updated": withParticipant,
  "roster:muted": (state, { user_ids, muted }) => {
    const changed = new Set(user_ids);
    const roster = state.roster.map((p) => (changed.has(p.id) ? { ...p, muted } : p));
    const you = changed.has(state.you.id) ? { ...state.you, muted } : state.you;
    return { ...state, roster, you };
  },
  "roster:left": (state, { user_id }) => withoutParticipant(state, user_id),
  // The server lowers a removed student's hand without sending a new queue.
  "roster:removed": (state, { user_id }) => withoutParticipant(state, user_id),
  "chat:message": (state, message) =>
    state.chat.some((m) => m.id === message.id)
      ? state
      : { ...state, chat: [...state.chat, message].slice(-MAX_CHAT) },
  "chat:deleted": (state, { id }) => ({ ...state, chat: state.chat.filter((m) => m.id !== id) }),
  "room:locks": (state, { chat, annotations, room }) => ({ ...state, locks: { chat, annotations, room } }),
  "hand:queue": (state, { hands }) => ({ ...state, hands }),
  "slides:page": (state, { deck_id, page, annotations }) => ({
    ...state,
    slide: { deck_id, page },
    annotations,
  }),
  "slides:deck": withDeck,
  "annotation:added": (state, annotation) =>
    onCurrentPage(state, annotation) && !state.annotations.some((a) => a.id === annotation.id)
      ? { ...state, annotations: [...state.annotations, annotation] }
      : state,
  "annotation:removed": (state, { id }) => ({
    ...state,
    annotations: state.annotations.filter((a) => a.id !== id),
  }),
  "annotation:cleared": (state, page) =>
    onCurrentPage(state, page) ? { ...state, annotations: [] } : state,
  "laser:moved": (state, moved) => {
    const lasers = { ...state.lasers };
    if (moved.hide) delete lasers[moved.user_id];
    else lasers[moved.user_id] = { x: moved.x, y: moved.y };
    return { ...state, lasers };
  },
  "poll:opened": (state, poll) => ({ ...state, poll }),
  "poll:counts": (state, { poll_id, counts, total_voters }) =>
    withPoll(state, poll_id, { counts, total_voters }),
  "poll:closed": (state, { poll_id }) => withPoll(state, poll_id, { status: "closed" }),
  // Results go to everyone alike, without your own choices: keep the ones we know.
  "poll:results": (state, poll) => ({
    ...state,
    poll: { ...poll, my_choices: state.poll?.id === poll.id ? state.poll.my_choices : null },
  }),
  // Local: the ack of our own vote (the server tells no one else's client).
  "poll:voted": (state, { poll_id, choices }) => withPoll(state, poll_id, { my_choices: choices }),
  // Local: the REST start's answer (the server tells no one that the lecture started).
  "lecture:started": (state, { status }) => ({ ...state, lecture: { ...state.lecture, status } }),
  "lecture:ended": (state) => ({ ...state, lecture: { ...state.lecture, status: "ended" } }),
  "recording:state": (state, { recording }) => ({ ...state, recording }),
  // Media (room/media.js): the track catalogue, invitations to speak, the active speaker.
  "media:tracks": (state, { tracks }) => ({ ...state, tracks }),
  "media:permissions": (state, { user_id, invited }) => {
    const others = (state.media?.invited ?? []).filter((id) => id !== user_id);
    return { ...state, media: { ...state.media, invited: invited ? [...others, user_id] : others } };
  },
  "media:speaking": (state, { user_id }) => ({ ...state, speaking: user_id }),
  // Educators and presenters only: per student (user id string), audio/video reaching them.
  "media:reception": (state, { users }) => ({ ...state, reception: users ?? {} }),
  // The lobby: its setting for everyone, who waits for the educators.
  "room:lobby": (state, { enabled }) => ({
    ...state,
    lobby: { waiting: state.lobby?.waiting ?? [], enabled },
  }),
  "lobby:waiting": (state, { waiting }) => ({
    ...state,
    lobby: { enabled: state.lobby?.enabled ?? false, waiting },
  }),
  // Live captions: who captions, the last final lines, and each source's typing preview (by
  // user id; "asr" for a machine), replaced by its final line.
  // A student no longer captioning leaves no half-typed line behind.
  "caption:captioners": (state, { user_ids }) => {
    const educators = state.roster.filter((p) => p.role === "educator").map((p) => p.id);
    const still = new Set([...user_ids, ...educators]);
    const captionPreviews = Object.fromEntries(
      Object.entries(state.captionPreviews).filter(([, said]) => said.user_id == null || still.has(said.user_id)),
    );
    return { ...state, captions: { ...state.captions, captioners: user_ids }, captionPreviews };
  },
  "caption:line": (state, line) =>
    state.captions.lines.some((l) => l.id === line.id)
      ? state
      : {
          ...state,
          captions: { ...state.captions, lines: [...state.captions.lines, line].slice(-MAX_CAPTION_LINES) },
          captionPreviews: withoutKey(state.captionPreviews, previewKey(line)),
        },
  "caption:preview": (state, preview) => ({
    ...state,
    captionPreviews: preview.text
      ? { ...state.captionPreviews, [previewKey(preview)]: preview }
      : withoutKey(state.captionPreviews, previewKey(preview)),
  }),
  // Breakout rooms (room/breakout.js).
  ...BREAKOUT_REDUCERS,
};

/** @param {{ user_id: number | null }} said */
const previewKey = (said) => (said.user_id == null ? "asr" : String(said.user_id));

/**
 * @template T
 * @param {Record<string, T>} record
 * @param {string} key
 * @returns {Record<string, T>}
 */
function withoutKey(record, key) {
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

// Events before the first snapshot have nothing to apply to; unknown events change nothing.
// The payload is the server's, as docs/protocol.md describes it (not checked here).
/**
 * @param {RoomState | null} state
 * @param {string} event
 * @param {unknown} data
 * @returns {RoomState | null}
 */
export function applyEvent(state, event, data) {
  if (!Object.hasOwn(REDUCERS, event)) return state;
  const reduce = /** @type {(state: RoomState | null, data: unknown) => RoomState} */ (
    REDUCERS[/** @type {keyof RoomEvents} */ (event)]
  );
  if (state === null && event !== "room:state") return state;
  return reduce(state, data);
}
