// The live room once joined: builds every panel, lays them out, and hands each one the new
// state after the events it shows (and after every full room:state).

import { h } from "../../dom.js";
import { createBreakout } from "./breakout.js";
import { createCaptions } from "./captions.js";
import { createChat } from "./chat.js";
import { createDeckUpload } from "./deck-upload.js";
import { createHands } from "./hands.js";
import { createLectureBar } from "./lecture-bar.js";
import { createLobby } from "./lobby.js";
import { createMediaPanel } from "./media-panel.js";
import { createPoll } from "./poll.js";
import { isEducator } from "./roles.js";
import { createRoster } from "./roster.js";
import { createSlideNav } from "./slide-nav.js";
import { createStage } from "./stage.js";
import { createToolbar } from "./toolbar.js";

export function createLiveView(client, feedback, state) {
  const bar = createLectureBar(client, feedback);
  const toolbar = createToolbar(client, feedback);
  const stage = createStage(client, feedback, toolbar.tools);
  const nav = createSlideNav(client, feedback);
  const upload = isEducator(state) ? createDeckUpload(client, feedback) : null;
  const hands = createHands(client, feedback);
  const roster = createRoster(client, feedback);
  const chat = createChat(client, feedback);
  const poll = createPoll(client, feedback);
  const media = createMediaPanel(client, feedback);
  const lobby = isEducator(state) ? createLobby(client, feedback, state) : null;
  const captions = createCaptions(client, feedback);
  stage.element.append(captions.overlay); // over the slide, at its foot
  const breakout = createBreakout(client, feedback);
  const panels = [bar, toolbar, stage, nav, upload, media, hands, roster, lobby, chat, poll, captions, breakout].filter(
    (panel) => panel !== null,
  );

  const element = h(
    "div",
    { class: isEducator(state) ? "room-live teaching" : "room-live" },
    bar.element,
    h(
      "div",
      { class: "room-columns" },
      h(
        "div",
        { class: "room-slides" },
        toolbar.element,
        h("div", { class: "stage-with-screen" }, stage.element, media.screen),
        nav.element,
        captions.element,
        upload?.element,
      ),
      h(
        "div",
        { class: "room-side" },
        breakout.element,
        media.element,
        hands.element,
        roster.element,
        lobby?.element,
        chat.element,
        poll.element,
      ),
    ),
  );

  function update(next, event) {
    for (const panel of panels) {
      if (event === "room:state" || panel.events.includes(event)) panel.update(next, event);
    }
  }

  return { element, update };
}
