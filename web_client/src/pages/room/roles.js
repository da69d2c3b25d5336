// What the viewer may do, from the room state; the server decides again on every event.

// Only what these read of the room state (room/state.js RoomState).
/** @typedef {{ you: { role: string, presenter: boolean }, locks: { annotations: boolean } }} Viewer */

/** @param {Viewer} state */
export const isEducator = (state) => state.you.role === "educator";

/** @param {Viewer} state */
export const mayPresent = (state) => isEducator(state) || state.you.presenter;

/** @param {Viewer} state */
export const mayDraw = (state) => mayPresent(state) || !state.locks.annotations;

// Educators caption without being named; students once an educator assigns them.
/** @param {Viewer & { you: { id: number }, captions: { captioners: number[] } }} state */
export const mayCaption = (state) => isEducator(state) || state.captions.captioners.includes(state.you.id);
