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
// Three events are applied locally, as no server event carries them to this client: your own
// vote ("poll:voted" {poll_id, choices}), the upload's answer (as a "slides:deck") and the
// start of the lecture ("lecture:started" with the Lecture the REST start answers).

import { io } from "socket.io-client";
import { ApiError, joinLecture, startLecture, uploadDeck } from "../api.js";
import { applyEvent } from "./state.js";

const ACK_TIMEOUT_MS = 10_000;
// A token is reused for reconnects until a minute before it expires (tokens live 5 minutes).
const TOKEN_MARGIN_S = 60;

// idle → connecting → connected ⇄ reconnecting; then one of the last four, for good.
const STATUSES = [
  "idle",
  "connecting",
  "connected",
  "reconnecting",
  "removed",
  "ended",
  "failed",
  "closed",
];
const FINAL_BY_CODE = { removed: "removed", lecture_ended: "ended" };

export class RoomError extends Error {
  // details: the error's other fields, e.g. `fields` (invalid) or `retry_after` (rate_limited)
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = "RoomError";
    this.code = code;
    Object.assign(this, details);
  }
}

export class RoomClient {
  onChange = null;
  #state = null;
  #status = "idle";
  #error = null;
  #listeners = new Map();
  #lectureId = null;
  #join = null; // the latest REST join answer
  #tokenFreshUntil = 0;
  #socket = null;
  #pendingJoin = null;
  #retriedRefusal = false;
  #ending = 0; // lecture:end requests awaiting their ack

  get state() {
    return this.#state;
  }

  get status() {
    return this.#status;
  }

  on(event, listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(listener);
    return () => this.#listeners.get(event).delete(listener);
  }

  // Throws the REST join's ApiError (e.g. code not_started, lecture_ended, removed) or, when
  // the socket is refused, a RoomError; resolves with the first room:state.
  async join(lectureId) {
    if (this.#status !== "idle") throw new Error("a RoomClient joins once");
    this.#lectureId = lectureId;
    await this.#fetchToken();
    this.#setStatus("connecting");
    const joined = new Promise((resolve, reject) => {
      this.#pendingJoin = { resolve, reject };
    });
    const socket = io(this.#join.namespace, {
      forceNew: true, // this client owns its connection; closing it touches no other
      path: this.#join.socket_path,
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

  sendChat(text, to = null) {
    return this.#send("chat:send", to == null ? { text } : { text, to });
  }

  deleteChat(id) {
    return this.#send("chat:delete", { id });
  }

  lockChat(locked) {
    return this.#send("chat:lock", { locked });
  }

  raiseHand() {
    return this.#send("hand:raise");
  }

  // Without a user id, your own hand.
  lowerHand(userId = null) {
    return this.#send("hand:lower", userId == null ? {} : { user_id: userId });
  }

  showSlide(deckId, page) {
    return this.#send("slides:show", { deck_id: deckId, page });
  }

  // { kind, points, color, width, text? }: it goes on the page shown now.
  addAnnotation(annotation) {
    return this.#send("annotation:add", annotation);
  }

  undoAnnotation() {
    return this.#send("annotation:undo");
  }

  clearAnnotations() {
    return this.#send("annotation:clear");
  }

  lockAnnotations(locked) {
    return this.#send("annotation:lock", { locked });
  }

  moveLaser(x, y) {
    return this.#send("laser:move", { x, y });
  }

  hideLaser() {
    return this.#send("laser:move", { hide: true });
  }

  openPoll({ question, options, multiple }) {
    return this.#send("poll:open", { question, options, multiple });
  }

  async vote(pollId, choices) {
    const ack = await this.#send("poll:vote", { poll_id: pollId, choices });
    this.#apply("poll:voted", { poll_id: pollId, choices });
    return ack;
  }

  closePoll(pollId) {
    return this.#send("poll:close", { poll_id: pollId });
  }

  publishPoll(pollId) {
    return this.#send("poll:publish", { poll_id: pollId });
  }

  setPresenter(userId, presenter) {
    return this.#send("presenter:set", { user_id: userId, presenter });
  }

  mute(userId, muted) {
    return this.#send("participant:mute", { user_id: userId, muted });
  }

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
  setRecording(on) {
    return this.#send(on ? "recording:start" : "recording:stop");
  }

  // Let a student publish microphone and camera (educators), or take it back.
  inviteToSpeak(userId) {
    return this.#send("media:invite", { user_id: userId });
  }

  revokeSpeaking(userId) {
    return this.#send("media:revoke", { user_id: userId });
  }

  // Any other client → server event (the media:* signalling in room/media.js): its ack.
  request(event, payload = {}) {
    return this.#send(event, payload);
  }

  // REST (educators): opens a scheduled lecture to students, who join by themselves.
  async startLecture() {
    const lecture = await startLecture(this.#lectureId);
    this.#apply("lecture:started", lecture);
    return lecture;
  }

  // REST upload (educators); resolves with the Deck, whose progress then arrives as slides:deck.
  async uploadDeck(file) {
    const deck = await uploadDeck(this.#lectureId, file);
    this.#apply("slides:deck", deck);
    return deck;
  }

  async #send(event, payload = {}) {
    if (!this.#socket?.connected) {
      throw new RoomError("disconnected", "not connected to the room");
    }
    let ack;
    try {
      ack = await this.#socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      // Socket.IO rejects an unanswered emit on timeout, and at once when the connection drops.
      if (!this.#socket.connected) {
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

  async #fetchToken() {
    this.#join = await joinLecture(this.#lectureId);
    this.#tokenFreshUntil = Date.now() + Math.max(0, this.#join.expires_in - TOKEN_MARGIN_S) * 1000;
  }

  // Socket.IO asks before every (re)connection: reuse the token while it is fresh.
  async #authenticate(send) {
    if (Date.now() >= this.#tokenFreshUntil) {
      try {
        await this.#fetchToken();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // Offline: the connection fails too and Socket.IO tries again later.
        if (error.status !== 0) {
          this.#stop(FINAL_BY_CODE[error.code] ?? "failed", error);
          return;
        }
      }
    }
    send({ token: this.#join.token });
  }

  #receive(event, data) {
    this.#apply(event, data);
    if (event === "room:state") {
      this.#retriedRefusal = false;
      this.#setStatus("connected");
      this.#pendingJoin?.resolve(this.#state);
      this.#pendingJoin = null;
    } else if (event === "room:removed") {
      this.#stop("removed", new RoomError("removed", "you were removed from this lecture"));
    } else if (event === "lecture:ended" && !this.#ending) {
      this.#ended();
    }
  }

  #apply(event, data) {
    // The socket joins the lecture's rooms before its snapshot is sent, so others' events can
    // arrive first; the snapshot already includes what they say.
    if (this.#state === null && event !== "room:state") return;
    this.#state = applyEvent(this.#state, event, data);
    for (const listener of this.#listeners.get(event) ?? []) listener(data);
    this.onChange?.(this.#state, event, data);
  }

  #connectFailed(error) {
    if (this.#isFinal()) return;
    if (this.#socket.active) {
      // The server could not be reached: Socket.IO retries by itself.
      if (this.#status === "connected") this.#setStatus("reconnecting");
      return;
    }
    // The server refused. A removal or the end is final; anything else (an expired token,
    // say) gets one more try with a new token, whose REST answer says what is wrong if it
    // still is.
    const code = error.data?.code;
    const refusal = new RoomError(code ?? "refused", error.data?.message ?? error.message);
    if (FINAL_BY_CODE[code] || this.#retriedRefusal) {
      this.#stop(FINAL_BY_CODE[code] ?? "failed", refusal);
      return;
    }
    this.#retriedRefusal = true;
    this.#tokenFreshUntil = 0;
    this.#socket.connect();
  }

  #disconnected(reason) {
    if (this.#isFinal()) return;
    if (this.#state?.lecture.status === "ended") {
      this.#ended(); // while our own lecture:end waited for its ack: no use reconnecting
      return;
    }
    this.#setStatus("reconnecting");
    // The server hung up without saying why: ask again (Socket.IO only retries lost transports).
    if (reason === "io server disconnect") this.#socket.connect();
  }

  #ended() {
    const byYou = this.#ending > 0;
    const message = byYou ? "you ended the lecture" : "the lecture has ended";
    this.#stop("ended", new RoomError("lecture_ended", message, { byYou }));
  }

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

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#listeners.get("status") ?? []) listener(status, this.#error);
  }
}
