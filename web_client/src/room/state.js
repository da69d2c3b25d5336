// How each server event changes the room state (shapes in docs/protocol.md). Pure: returns the
// next state and never changes its argument. The state is `room:state` plus `lasers`, the
// pointers presenters show now, by user id.

const MAX_CHAT = 500;

const byName = (a, b) => a.name.localeCompare(b.name);
const onCurrentPage = (state, { deck_id, page }) =>
  state.slide.deck_id === deck_id && state.slide.page === page;

function withParticipant(state, participant) {
  const others = state.roster.filter((p) => p.id !== participant.id);
  const you =
    participant.id === state.you.id
      ? { ...state.you, presenter: participant.presenter, muted: participant.muted }
      : state.you;
  return { ...state, you, roster: [...others, participant].sort(byName) };
}

function withoutParticipant(state, userId) {
  return {
    ...state,
    roster: state.roster.filter((p) => p.id !== userId),
    hands: state.hands.filter((hand) => hand.user_id !== userId),
    lasers: Object.fromEntries(Object.entries(state.lasers).filter(([id]) => Number(id) !== userId)),
  };
}

// Progress events and the upload's own answer may arrive in any order: never go backwards.
function withDeck(state, deck) {
  const old = state.decks.find((d) => d.id === deck.id);
  if (!old) return { ...state, decks: [...state.decks, deck].sort((a, b) => a.id - b.id) };
  const stale =
    deck.status === "processing" && (old.status !== "processing" || deck.progress < old.progress);
  return stale ? state : { ...state, decks: state.decks.map((d) => (d.id === deck.id ? deck : d)) };
}

function withPoll(state, pollId, changes) {
  return state.poll?.id === pollId ? { ...state, poll: { ...state.poll, ...changes } } : state;
}

const REDUCERS = {
  "room:state": (state, snapshot) => ({
    ...snapshot,
    lasers: {},
    tracks: state?.tracks ?? [],
    speaking: state?.speaking ?? null,
    reception: state?.reception ?? {},
  }),
  "roster:joined": withParticipant,
  "roster:updated": withParticipant,
  "roster:left": (state, { user_id }) => withoutParticipant(state, user_id),
  // The server lowers a removed student's hand without sending a new queue.
  "roster:removed": (state, { user_id }) => withoutParticipant(state, user_id),
  "chat:message": (state, message) =>
    state.chat.some((m) => m.id === message.id)
      ? state
      : { ...state, chat: [...state.chat, message].slice(-MAX_CHAT) },
  "chat:deleted": (state, { id }) => ({ ...state, chat: state.chat.filter((m) => m.id !== id) }),
  "room:locks": (state, { chat, annotations }) => ({ ...state, locks: { chat, annotations } }),
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
  "laser:moved": (state, { user_id, x, y, hide }) => {
    const lasers = { ...state.lasers };
    if (hide) delete lasers[user_id];
    else lasers[user_id] = { x, y };
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
};

// Events before the first snapshot have nothing to apply to; unknown events change nothing.
export function applyEvent(state, event, data) {
  const reduce = REDUCERS[event];
  if (!reduce || (state === null && event !== "room:state")) return state;
  return reduce(state, data);
}
