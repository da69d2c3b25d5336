// Tells the user why a room action did not happen (a refused event, a failed upload).

import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { describeError, t } from "../../i18n.js";
import { RoomError } from "../../room/client.js";

const SHOW_MS = 6000;

// Our words for an ApiError or RoomError code, else the server's message.
/** @param {ApiError | RoomError} error */
export function describeRoomError(error) {
  if (error instanceof ApiError) return describeError(error);
  if (error.code === "rate_limited") {
    return t("room.error.rate_limited", { count: Math.ceil(error.retry_after ?? 1) });
  }
  const key = `room.error.${error.code}`;
  const text = t(key);
  return text === key ? error.message || t("error.generic") : text;
}

export function createFeedback() {
  const element = h("p", {
    class: "room-feedback error",
    role: "alert",
    "data-testid": "room-error",
    hidden: true,
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /** @param {ApiError | RoomError} error */
  function show(error) {
    element.textContent = describeRoomError(error);
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      element.hidden = true;
    }, SHOW_MS);
  }

  // Runs an action; a refusal is shown, never thrown (bugs still are). Resolves to null then.
  /**
   * @template T
   * @param {() => Promise<T>} action
   * @returns {Promise<T | null>}
   */
  async function act(action) {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof RoomError || error instanceof ApiError)) throw error;
      show(error);
      return null;
    }
  }

  return { element, act };
}
