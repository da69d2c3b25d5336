// What the viewer may do, from the room state; the server decides again on every event.

export const isEducator = (state) => state.you.role === "educator";

export const mayPresent = (state) => isEducator(state) || state.you.presenter;

export const mayDraw = (state) => mayPresent(state) || !state.locks.annotations;
