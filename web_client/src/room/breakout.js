// Breakout rooms (docs/protocol.md, "Breakout rooms"): the events that split a lecture into
// groups, how they change the room state, where a participant belongs, and what the groups
// kept. Each group's room is a lecture of its own; a client moves by joining it (the page
// navigates), so nothing here holds a second connection. No UI.

import { request } from "../api.js";

/**
 * @typedef {{ number: number, name: string, lecture_id: number }} Group
 * @typedef {Group & { members: { user_id: number, name: string }[] }} GroupView
 * @typedef {{ text: string, from: { id: number, name: string } }} BreakoutNotice
 * @typedef {{ id: number, lecture_id: number, mode: string, record: boolean, ends_at: string, notice: BreakoutNotice | null, groups: GroupView[], yours: Group | null, here: Group | null }} Breakout
 * @typedef {{ mode: "random" | "choose" | "plan" | "assigned", minutes: number, count?: number, record?: boolean, groups?: { name: string, user_ids: number[] }[] }} BreakoutSpec
 * @typedef {{ request: (event: string, payload?: Record<string, unknown>) => Promise<any> }} Sender
 */

/** @param {Sender} client @param {BreakoutSpec} spec */
export function startBreakout(client, spec) {
  return client.request("breakout:start", spec);
}

/** @param {Sender} client @param {number} group */
export function chooseGroup(client, group) {
  return client.request("breakout:choose", { group });
}

/** @param {Sender} client @param {number} userId @param {number} group */
export function moveToGroup(client, userId, group) {
  return client.request("breakout:move", { user_id: userId, group });
}

/** @param {Sender} client @param {string} text */
export function broadcastToGroups(client, text) {
  return client.request("breakout:broadcast", { text });
}

/** @param {Sender} client */
export function endBreakout(client) {
  return client.request("breakout:end");
}

/** The group a user is in, from the groups' members. @param {GroupView[]} groups @param {number} userId */
function groupOf(groups, userId) {
  const found = groups.find((g) => g.members.some((m) => m.user_id === userId));
  return found ? { number: found.number, name: found.name, lecture_id: found.lecture_id } : null;
}

/**
 * A breakout view as the server sends it (started, groups) seen from `state`: yours and here.
 * @param {{ you: { id: number }, lecture: { id: number } }} state
 * @param {Omit<Breakout, "yours" | "here">} view
 * @returns {Breakout}
 */
export function seenFrom(state, view) {
  const here = view.groups.find((g) => g.lecture_id === state.lecture.id);
  return {
    ...view,
    yours: groupOf(view.groups, state.you.id),
    here: here ? { number: here.number, name: here.name, lecture_id: here.lecture_id } : null,
  };
}

// Reducers for room/state.js: the running breakout, and the latest broadcast notice.
export const BREAKOUT_REDUCERS = {
  /** @param {any} state @param {any} view */
  "breakout:started": (state, view) => ({ ...state, breakout: seenFrom(state, view), breakoutNotice: null }),
  // (room:state brings the latest notice as breakout.notice: see room/state.js)
  /** @param {any} state @param {any} view */
  "breakout:groups": (state, view) => ({ ...state, breakout: seenFrom(state, view) }),
  /** @param {any} state @param {{ group: Group }} data */
  "breakout:yours": (state, { group }) =>
    state.breakout ? { ...state, breakout: { ...state.breakout, yours: group } } : state,
  /** @param {any} state @param {BreakoutNotice} notice */
  "breakout:notice": (state, notice) => ({ ...state, breakoutNotice: notice }),
  // Only the breakout shown ends (a late end of an earlier one changes nothing).
  /** @param {any} state @param {{ breakout_id: number }} data */
  "breakout:ended": (state, { breakout_id }) =>
    state.breakout && state.breakout.id !== breakout_id ? state : { ...state, breakout: null, breakoutNotice: null },
};

/**
 * The room a student should be in now, as a URL path, or null to stay: a student whose group
 * has a room elsewhere (just assigned, chosen or moved, or reconnecting to the lecture) goes
 * there. Educators move by themselves.
 * @param {{ you: { role: string }, breakout?: Breakout | null }} state
 * @returns {string | null}
 */
export function groupDestination(state) {
  const breakout = state.breakout;
  if (!breakout || state.you.role === "educator" || !breakout.yours) return null;
  return breakout.yours.lecture_id === breakout.here?.lecture_id ? null : `/lectures/${breakout.yours.lecture_id}`;
}

/** A group's name to show: a random or choose group is named by its number. @param {Group} group @param {(n: number) => string} numbered */
export function groupLabel(group, numbered) {
  return group.name === String(group.number) ? numbered(group.number) : group.name;
}

/** Seconds until the breakout ends (never negative). @param {Breakout} breakout @param {number} [now] */
export function secondsLeft(breakout, now = Date.now()) {
  return Math.max(0, Math.round((Date.parse(breakout.ends_at) - now) / 1000));
}

// What the groups kept, over REST (the course's educators; docs/protocol.md, Lecture REST).

/**
 * @typedef {{ id: number, sender_id: number, sender_name: string, text: string, sent_at: string }} ChatLine
 * @typedef {{ id: number, deck_id: number, page: number, author_id: number, shape: Record<string, any>, created_at: string }} Drawing
 * @typedef {GroupView & { chat_url: string, annotations_url: string }} PastGroup
 * @typedef {{ id: number, mode: string, record: boolean, started_at: string, ends_at: string, ended_at: string | null, groups: PastGroup[] }} PastBreakout
 */

const API_PREFIX = "/api/v1";

/** @param {number} lectureId @returns {Promise<PastBreakout[]>} */
export async function listBreakouts(lectureId) {
  const answer = await request("GET", `/lectures/${lectureId}/breakouts`);
  return answer.items;
}

/**
 * A group's chat (its first 200 public messages) and the drawings on its pages.
 * @param {PastGroup} group
 * @returns {Promise<{ chat: ChatLine[], drawings: Drawing[] }>}
 */
export async function groupWork(group) {
  const [chat, drawings] = await Promise.all([
    request("GET", `${group.chat_url.slice(API_PREFIX.length)}?limit=200`),
    request("GET", group.annotations_url.slice(API_PREFIX.length)),
  ]);
  return { chat: chat.items, drawings: drawings.items };
}

/**
 * @typedef {{ name: string, user_ids: number[] }} PlannedGroup
 * @typedef {{ lecture_id: number, groups: PlannedGroup[], students: { user_id: number, name: string }[] }} BreakoutPlan
 */

/** The groups prepared for a lecture, and the course's students a plan may place. @param {number} lectureId @returns {Promise<BreakoutPlan>} */
export const getPlan = (lectureId) => request("GET", `/lectures/${lectureId}/breakout-plan`);

/** @param {number} lectureId @param {PlannedGroup[]} groups @returns {Promise<BreakoutPlan>} */
export const savePlan = (lectureId, groups) =>
  request("PUT", `/lectures/${lectureId}/breakout-plan`, { groups });
