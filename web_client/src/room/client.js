// RoomClient: one participant's connection to a lecture's live room (docs/protocol.md). It gets
// a join token over REST, keeps a Socket.IO connection to the /classroom namespace alive,
// applies every server event to `state`, and turns client → server events into promises of
// their acks. It has no UI, so other front ends can reuse it.
//
//   const room = new RoomClient();
//   room.onChange = (state, event, data) => …;    // after every applied event
//   room.on("chat:message", (message) => …);      // server events; returns an unsubscribe
//   room.on("status", (status, error) => …);      // see STATUSES; error says why it ended
//   await room.join(lectureId);                    // resolves with the first room:state
//   await room.sendChat("Hello");                  // the ack, or throws RoomError(code, message)
//
// In a lecture that keeps you in its lobby, the status is "waiting" (the "lobby:wait"
// listeners get {lecture, you}) until an educator admits you (then the client reconnects by
// itself and join resolves) or denies you (status "denied", for good).
//
// Three events are applied locally, as no server event carries them to this client: your own
// vote ("poll:voted" {poll_id, choices}), the upload's answer (as a "slides:deck") and the
// start of the lecture ("lecture:started" with the Lecture the REST start answers).

import { io } from "socket.io-client";
import { ApiError, joinLecture, startLecture, uploadDeck } from "../api.js";
import { applyEvent } from "./state.js";

/** @typedef {import("./state.js").RoomState} RoomState */
/** @typedef {import("../api.js").Id} Id */
/** @typedef {"idle" | "connecting" | "waiting" | "connected" | "reconnecting" | "removed" | "denied" | "ended" | "failed" | "closed"} Status */
/** @typedef {{ namespace: string, socket_path: string, token: string, expires_in: number }} JoinAnswer */
/**
 * An ack: `ok` true and the event's fields (see docs/protocol.md), or `ok` false and the error.
 * @typedef {{ ok: boolean, error?: { code?: string, message?: string, [detail: string]: unknown }, [field: string]: any }} Ack
 */

const ACK_TIMEOUT_MS = 10_000;
// A token is reused for reconnects until a minute before it expires (tokens live 5 minutes).
const TOKEN_MARGIN_S = 60;

// idle → connecting → connected ⇄ reconnecting; then one of the last four, for good.
/** @type {Status[]} */
const STATUSES = [
  "idle",
  "connecting",
  "waiting",
  "connected",
  "reconnecting",
  "removed",
  "denied",
  "ended",
  "failed",
  "closed",
];
/** @type {Record<string, Status>} */
const FINAL_BY_CODE = { removed: "removed", lecture_ended: "ended", lobby_denied: "denied" };

export class RoomError extends Error {
  // details: the error's other fields, e.g. `fields` (invalid) or `retry_after` (rate_limited)
  /**
   * @param {string} code
   * @param {string} [message]
   * @param {Record<string, unknown>} [details]
   */
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = "RoomError";
    this.code = code;
    /** @type {number | undefined} seconds to wait (rate_limited) */
    this.retry_after = undefined;
    /** @type {boolean | undefined} your own lecture:end ended it (lecture_ended) */
    this.byYou = undefined;
    Object.assign(this, details);
  }
}

export class RoomClient {
  /** @type {((state: RoomState, event: string, data: any) => void) | null} */
  onChange = null;
  /** @type {RoomState | null} */
  #state = null;
  /** @type {Status} */
  #status = "idle";
  /** @type {Error | null} */
  #error = null;
  /** @type {Map<string, Set<(...args: any[]) => void>>} */
  #listeners = new Map();
  /** @type {Id | null} */
  #lectureId = null;
  /** @type {JoinAnswer | null} the latest REST join answer */
  #join = null;
  #tokenFreshUntil = 0;
  /** @type {import("socket.io-client").Socket | null} */
  #socket = null;
  /** @type {{ resolve: (state: RoomState) => void, reject: (error: Error) => void } | null} */
  #pendingJoin = null;
  #retriedRefusal = false;
  #admitted = false; // let out of the lobby: the next disconnect is ours, to come back in
  #ending = 0; // lecture:end requests awaiting their ack

  get state() {
    return this.#state;
  }

  get status() {
    return this.#status;
  }

  // A server event's listener gets its payload (any: the server's, as docs/protocol.md says);
  // "status" listeners get (status, error).
  /**
   * @param {string} event
   * @param {(...args: any[]) => void} listener
   * @returns {() => void} unsubscribes
   */
  on(event, listener) {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  // Throws the REST join's ApiError (e.g. code not_started, lecture_ended, removed) or, when
  // the socket is refused, a RoomError; resolves with the first room:state.
  /**
   * @param {Id} lectureId
   * @returns {Promise<RoomState>}
   */
  async join(lectureId) {
    if (this.#status !== "idle") throw new Error("a RoomClient joins once");
    this.#lectureId = lectureId;
    const answer = await this.#fetchToken();
    this.#setStatus("connecting");
    /** @type {Promise<RoomState>} */
    const joined = new Promise((resolve, reject) => {
      this.#pendingJoin = { resolve, reject };
    });
    const socket = io(answer.namespace, {
      forceNew: true, // this client owns its connection; closing it touches no other
      path: answer.socket_path,
      auth: (send) => this.#authenticate(send),
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    this.#socket = socket;
    socket.onAny((event, data) => this.#receive(event, data));
    socket.on("connect_error", (error) => this.#connectFailed(error));
    socket.on("disconnect", (reason) => this.#disconnected(reason));
    return joined;
  }

  close() {
    this.#stop("closed", null);
  }

  /** @param {string} text @param {number | null} [to] a user, for a private message */
  sendChat(text, to = null) {
    return this.#send("chat:send", to == null ? { text } : { text, to });
  }

  /** @param {number} id */
  deleteChat(id) {
    return this.#send("chat:delete", { id });
  }

  /** @param {boolean} locked */
  lockChat(locked) {
    return this.#send("chat:lock", { locked });
  }

  raiseHand() {
    return this.#send("hand:raise");
  }

  // Without a user id, your own hand.
  /** @param {number | null} [userId] */
  lowerHand(userId = null) {
    return this.#send("hand:lower", userId == null ? {} : { user_id: userId });
  }

  /** @param {number} deckId @param {number} page */
  showSlide(deckId, page) {
    return this.#send("slides:show", { deck_id: deckId, page });
  }

  // { kind, points, color, width, text? }: it goes on the page shown now.
  /** @param {{ kind: string, points: [number, number][], color: string, width: number, text?: string }} annotation */
  addAnnotation(annotation) {
    return this.#send("annotation:add", annotation);
  }

  undoAnnotation() {
    return this.#send("annotation:undo");
  }

  clearAnnotations() {
    return this.#send("annotation:clear");
  }

  /** @param {boolean} locked */
  lockAnnotations(locked) {
    return this.#send("annotation:lock", { locked });
  }

  /** @param {number} x @param {number} y */
  moveLaser(x, y) {
    return this.#send("laser:move", { x, y });
  }

  hideLaser() {
    return this.#send("laser:move", { hide: true });
  }

  /** @param {{ question: string, options: string[], multiple: boolean }} poll */
  openPoll({ question, options, multiple }) {
    return this.#send("poll:open", { question, options, multiple });
  }

  /** @param {number} pollId @param {number[]} choices */
  async vote(pollId, choices) {
    const ack = await this.#send("poll:vote", { poll_id: pollId, choices });
    this.#apply("poll:voted", { poll_id: pollId, choices });
    return ack;
  }

  /** @param {number} pollId */
  closePoll(pollId) {
    return this.#send("poll:close", { poll_id: pollId });
  }

  /** @param {number} pollId */
  publishPoll(pollId) {
    return this.#send("poll:publish", { poll_id: pollId });
  }

  /** @param {number} userId @param {boolean} presenter */
  setPresenter(userId, presenter) {
    return this.#send("presenter:set", { user_id: userId, presenter });
  }

  /** @param {number} userId @param {boolean} muted */
  mute(userId, muted) {
    return this.#send("participant:mute", { user_id: userId, muted });
  }

  // Every student at once (presenters too, unless spared); the ack lists whose mute changed.
  /** @param {boolean} muted @param {boolean} [exceptPresenters] */
  muteAll(muted, exceptPresenters = false) {
    return this.#send("participant:mute_all", { muted, except_presenters: exceptPresenters });
  }

  // Lifts the student's mute (inviting them if need be) and asks them to turn their
  // microphone on; they decide.
  /** @param {number} userId */
  askToUnmute(userId) {
    return this.#send("participant:ask_unmute", { user_id: userId });
  }

  // Newcomers stay out; the students in the room now may come back.
  /** @param {boolean} locked */
  lockRoom(locked) {
    return this.#send("room:lock", { locked });
  }

  // The lobby (educators): on, students not yet admitted wait outside until let in.
  /** @param {boolean} enabled */
  setLobby(enabled) {
    return this.#send("room:lobby", { enabled });
  }

  /** @param {number} userId */
  admit(userId) {
    return this.#send("lobby:admit", { user_id: userId });
  }

  admitAll() {
    return this.#send("lobby:admit_all");
  }

  /** @param {number} userId */
  deny(userId) {
    return this.#send("lobby:deny", { user_id: userId });
  }

  lowerAllHands() {
    return this.#send("hand:lower_all");
  }

  /** @param {number} userId */
  remove(userId) {
    return this.#send("participant:remove", { user_id: userId });
  }

  // Resolves once the lecture has ended. The server sends lecture:ended to the whole room,
  // you included, before your ack (which waits until the recording is in the library), so the
  // connection stays open for the ack; then the status becomes "ended" with an error whose
  // `byYou` is true. Had the connection dropped after lecture:ended came, the lecture still
  // ended: that resolves too.
  async endLecture() {
    this.#ending += 1;
    try {
      return await this.#send("lecture:end");
    } catch (error) {
      if (this.#state?.lecture.status !== "ended") throw error;
      return { ok: true };
    } finally {
      if (this.#state?.lecture.status === "ended") this.#ended();
      this.#ending -= 1;
    }
  }

  // Educators: start or stop a take of the lecture's recording.
  /** @param {boolean} on */
  setRecording(on) {
    return this.#send(on ? "recording:start" : "recording:stop");
  }

  // Let a student publish microphone and camera (educators), or take it back.
  /** @param {number} userId */
  inviteToSpeak(userId) {
    return this.#send("media:invite", { user_id: userId });
  }

  /** @param {number} userId */
  revokeSpeaking(userId) {
    return this.#send("media:revoke", { user_id: userId });
  }

  // Educators: name a student captioner, or stop them.
  /** @param {number} userId @param {boolean} captioner */
  assignCaptioner(userId, captioner) {
    return this.#send("caption:assign", { user_id: userId, captioner });
  }

  // Educators and captioners: a caption line (final) or the typing preview of one.
  /** @param {string} text @param {{ final?: boolean, lang?: string | null }} [options] */
  sendCaption(text, { final = true, lang = null } = {}) {
    return this.#send("caption:send", lang ? { text, final, lang } : { text, final });
  }

  // Any other client → server event (the media:* signalling in room/media.js): its ack.
  /** @param {string} event @param {Record<string, unknown>} [payload] */
  request(event, payload = {}) {
    return this.#send(event, payload);
  }

  // REST (educators): opens a scheduled lecture to students, who join by themselves.
  async startLecture() {
    const lecture = await startLecture(this.#joinedLecture());
    this.#apply("lecture:started", lecture);
    return lecture;
  }

  // REST upload (educators); resolves with the Deck, whose progress then arrives as slides:deck.
  /** @param {Blob} file */
  async uploadDeck(file) {
    const deck = await uploadDeck(this.#joinedLecture(), file);
    this.#apply("slides:deck", deck);
    return deck;
  }

  /**
   * @param {string} event
   * @param {Record<string, unknown>} [payload]
   * @returns {Promise<Ack>}
   */
  async #send(event, payload = {}) {
    const socket = this.#socket;
    if (!socket?.connected) {
      throw new RoomError("disconnected", "not connected to the room");
    }
    /** @type {Ack | undefined} */
    let ack;
    try {
      ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      // Socket.IO rejects an unanswered emit on timeout, and at once when the connection drops.
      if (!socket.connected) {
        throw new RoomError("disconnected", `the connection closed before ${event} was answered`);
      }
      throw new RoomError("timeout", `no answer to ${event} in ${ACK_TIMEOUT_MS / 1000} s`);
    }
    if (ack?.ok !== true) {
      const { code = "invalid", message = "", ...details } = ack?.error ?? {};
      throw new RoomError(code, message, details);
    }
    return ack;
  }

  #joinedLecture() {
    if (this.#lectureId === null) throw new Error("join a lecture first");
    return this.#lectureId;
  }

  /** @returns {Promise<JoinAnswer>} */
  async #fetchToken() {
    /** @type {JoinAnswer} */
    const answer = await joinLecture(this.#joinedLecture());
    this.#join = answer;
    this.#tokenFreshUntil = Date.now() + Math.max(0, answer.expires_in - TOKEN_MARGIN_S) * 1000;
    return answer;
  }

  // Socket.IO asks before every (re)connection: reuse the token while it is fresh.
  /** @param {(auth: { token: string }) => void} send */
  async #authenticate(send) {
    if (Date.now() >= this.#tokenFreshUntil) {
      try {
        await this.#fetchToken();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // Offline: the connection fails too and Socket.IO tries again later.
        if (error.status !== 0) {
          this.#stop(Object.hasOwn(FINAL_BY_CODE, error.code) ? FINAL_BY_CODE[error.code] : "failed", error);
          return;
        }
      }
    }
    if (this.#join) send({ token: this.#join.token });
  }

  /** @param {string} event @param {unknown} data */
  #receive(event, data) {
    if (event === "lobby:wait" || event === "lobby:admitted" || event === "lobby:denied") {
      this.#lobby(event, data);
      return;
    }
    this.#apply(event, data);
    if (event === "room:state") {
      this.#retriedRefusal = false;
      this.#setStatus("connected");
      if (this.#state) this.#pendingJoin?.resolve(this.#state);
      this.#pendingJoin = null;
    } else if (event === "room:removed") {
      this.#stop("removed", new RoomError("removed", "you were removed from this lecture"));
    } else if (event === "lecture:ended" && !this.#ending) {
      this.#ended();
    }
  }

  // Waiting in the lobby: no room state yet. Admitted, the connection is made again with a new
  // token, which the server now lets into the room.
  /** @param {string} event @param {any} data */
  #lobby(event, data) {
    for (const listener of this.#listeners.get(event) ?? []) listener(data);
    if (event === "lobby:wait") {
      this.#setStatus("waiting");
    } else if (event === "lobby:denied") {
      this.#stop("denied", new RoomError("lobby_denied", data?.message ?? ""));
    } else if (this.#socket) {
      this.#tokenFreshUntil = 0;
      this.#admitted = true;
      this.#socket.disconnect().connect();
    }
  }

  /** @param {string} event @param {unknown} data */
  #apply(event, data) {
    // The socket joins the lecture's rooms before its snapshot is sent, so others' events can
    // arrive first; the snapshot already includes what they say.
    const state = applyEvent(this.#state, event, data);
    if (state === null) return;
    this.#state = state;
    for (const listener of this.#listeners.get(event) ?? []) listener(data);
    this.onChange?.(state, event, data);
  }

  // Socket.IO's connect_error: an Error, with `data` when the server refused the connection.
  /** @param {Error & { data?: { code?: string, message?: string } }} error */
  #connectFailed(error) {
    if (this.#isFinal() || !this.#socket) return;
    if (this.#socket.active) {
      // The server could not be reached: Socket.IO retries by itself.
      if (this.#status === "connected") this.#setStatus("reconnecting");
      return;
    }
    // The server refused. A removal or the end is final; anything else (an expired token,
    // say) gets one more try with a new token, whose REST answer says what is wrong if it
    // still is.
    const code = error.data?.code ?? "refused";
    const refusal = new RoomError(code, error.data?.message ?? error.message);
    if (Object.hasOwn(FINAL_BY_CODE, code) || this.#retriedRefusal) {
      this.#stop(Object.hasOwn(FINAL_BY_CODE, code) ? FINAL_BY_CODE[code] : "failed", refusal);
      return;
    }
    this.#retriedRefusal = true;
    this.#tokenFreshUntil = 0;
    this.#socket.connect();
  }

  /** @param {string} reason */
  #disconnected(reason) {
    if (this.#isFinal()) return;
    if (this.#admitted) {
      this.#admitted = false;
      return; // we hung up to come back in as admitted: already reconnecting
    }
    if (this.#state?.lecture.status === "ended") {
      this.#ended(); // while our own lecture:end waited for its ack: no use reconnecting
      return;
    }
    this.#setStatus("reconnecting");
    // The server hung up without saying why: ask again (Socket.IO only retries lost transports).
    if (reason === "io server disconnect") this.#socket?.connect();
  }

  #ended() {
    const byYou = this.#ending > 0;
    const message = byYou ? "you ended the lecture" : "the lecture has ended";
    this.#stop("ended", new RoomError("lecture_ended", message, { byYou }));
  }

  /** @param {Status} status @param {Error | null} error */
  #stop(status, error) {
    if (this.#isFinal()) return;
    this.#error = error;
    this.#socket?.disconnect();
    this.#setStatus(status);
    this.#pendingJoin?.reject(error ?? new RoomError("closed", "the room was closed"));
    this.#pendingJoin = null;
  }

  #isFinal() {
    return STATUSES.indexOf(this.#status) >= STATUSES.indexOf("removed");
  }

  /** @param {Status} status */
  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#listeners.get("status") ?? []) listener(status, this.#error);
  }
}
