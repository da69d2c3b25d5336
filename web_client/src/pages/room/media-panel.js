// Audio and video in the room: others' cameras and microphones (and who is speaking), the
// screen share beside the slides, the "audio and slides only" switch, and for those who may
// publish (educator, presenter, invited students, both sides of an office hour) device
// pickers and start/stop buttons. Signalling lives in room/media.js.
//
// Media starts only when it is used: the peer connection is made when someone else's track
// appears in the catalogue or when you start publishing.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { MediaSession } from "../../room/media.js";
import { createMediaStatus } from "./media-status.js";
import { mayPresent } from "./roles.js";
import { button, panel } from "./ui.js";

const INVITED_SOURCES = ["camera", "microphone"];
const ALL_SOURCES = ["camera", "microphone", "screen"];
// 720p when the camera has it; the SFU's feedback lets the browser send it at full rate.
const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

// What this viewer may publish now (the server checks again).
function publishable(state) {
  if (state.media?.meeting || mayPresent(state)) return ALL_SOURCES;
  return (state.media?.invited ?? []).includes(state.you.id) ? INVITED_SOURCES : [];
}

function nameOf(state, userId) {
  return state.roster.find((p) => p.id === userId)?.name ?? "";
}

function mediaElement(kind, testId, publication, entry) {
  const element = h(kind, {
    "data-testid": testId,
    "data-publication": publication,
    "data-user-id": entry.user_id,
    "data-source": entry.source,
    autoplay: true,
    playsinline: true,
    class: kind === "video" ? `media-video ${entry.source}` : null,
  });
  if (kind === "video") element.muted = true; // sound plays from the <audio> element
  return element;
}

export function createMediaPanel(client, feedback) {
  const media = new MediaSession(client);
  window.qouRoomMedia = media; // for debugging (and the browser tests)
  let state = client.state;
  let audioOnly = false;
  const rendered = new Map(); // publication id -> element

  const speaking = h("p", { class: "speaking muted", "data-testid": "speaking", "aria-live": "polite" });
  const cameras = h("div", { class: "media-cameras", "data-testid": "media-cameras" });
  const sounds = h("div", { hidden: true });
  const screen = h("div", { class: "media-screen", "data-testid": "media-screen", hidden: true });
  const audioOnlyBox = h("input", { type: "checkbox", "data-testid": "audio-only" });
  audioOnlyBox.addEventListener("change", () => {
    audioOnly = audioOnlyBox.checked;
    feedback.act(() => media.setVideo(!audioOnly));
    render();
  });
  const audioOnlyLabel = h("label", { class: "audio-only" }, audioOnlyBox, " ", t("room.media.audioOnly"));

  const cameraSelect = h("select", { "data-testid": "camera-select", "aria-label": t("room.media.cameraPicker") });
  const microphoneSelect = h("select", {
    "data-testid": "microphone-select",
    "aria-label": t("room.media.microphonePicker"),
  });
  const localVideo = h("video", { "data-testid": "local-video", class: "media-video local", autoplay: true, hidden: true });
  localVideo.muted = true;
  const toggles = {
    camera: button("toggle-camera", t("room.media.start.camera"), () => toggle("camera")),
    microphone: button("toggle-microphone", t("room.media.start.microphone"), () => toggle("microphone")),
    screen: button("toggle-screen", t("room.media.start.screen"), () => toggle("screen")),
  };
  const controls = h(
    "div",
    { class: "media-controls", "data-testid": "media-controls", hidden: true },
    h("label", {}, t("room.media.camera"), " ", cameraSelect),
    h("label", {}, t("room.media.microphone"), " ", microphoneSelect),
    toggles.camera,
    toggles.microphone,
    toggles.screen,
    localVideo,
  );
  // The educator asked you to speak: your choice, one click away.
  /** @type {{ by: string } | null} */
  let answered = null;
  const askedText = h("p", {});
  const asked = h(
    "div",
    { class: "card unmute-request", role: "alert", "data-testid": "unmute-request", hidden: true },
    askedText,
    button("unmute-accept", t("room.media.unmuteRequest.accept"), () => {
      answer();
      if (!media.localTrack("microphone")) toggle("microphone");
    }),
    button("unmute-dismiss", t("room.media.unmuteRequest.dismiss"), answer),
  );
  function answer() {
    answered = state.unmuteRequest;
    asked.hidden = true;
  }

  // Where media stands, what really leaves, how well it arrives (MediaSession calls onState).
  const status = createMediaStatus(media, () => client.status, toggles, localVideo);
  media.onState = (mediaState, reason) => status.showState(mediaState, reason);
  const element = panel(
    "media-panel",
    "room.media.heading",
    status.element,
    asked,
    speaking,
    controls,
    cameras,
    audioOnlyLabel,
    sounds,
  );
  element.dataset.testid = "media-panel";

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    /** @type {[HTMLSelectElement, MediaDeviceKind][]} */
    const pickers = [
      [cameraSelect, "videoinput"],
      [microphoneSelect, "audioinput"],
    ];
    for (const [select, kind] of pickers) {
      const chosen = select.value;
      select.replaceChildren(
        ...devices
          .filter((d) => d.kind === kind)
          .map((d, i) => h("option", { value: d.deviceId }, d.label || `${kind} ${i + 1}`)),
      );
      if (chosen) select.value = chosen;
    }
  }

  async function capture(source) {
    if (source === "screen") {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const [track] = stream.getVideoTracks();
      track.addEventListener("ended", () => stopPublishing("screen"));
      return track;
    }
    const select = source === "camera" ? cameraSelect : microphoneSelect;
    const device = select.value ? { deviceId: { exact: select.value } } : {};
    const stream = await navigator.mediaDevices.getUserMedia(
      source === "camera" ? { video: { ...CAMERA, ...device } } : { audio: device },
    );
    await listDevices(); // labels appear once permission is given
    return source === "camera" ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
  }

  async function startPublishing(source) {
    const track = await capture(source);
    await media.publish(source, track);
    if (source === "camera") {
      localVideo.srcObject = new MediaStream([track]);
      localVideo.hidden = false;
    }
    render();
  }

  async function stopPublishing(source) {
    if (!media.localTrack(source)) return;
    await media.unpublish(source);
    if (source === "camera") {
      localVideo.srcObject = null;
      localVideo.hidden = true;
    }
    render();
  }

  function toggle(source) {
    feedback.act(() => (media.localTrack(source) ? stopPublishing(source) : startPublishing(source)));
  }

  async function switchDevice(source) {
    if (!media.localTrack(source)) return;
    const track = await capture(source);
    await media.replace(source, track);
    if (source === "camera") localVideo.srcObject = new MediaStream([track]);
  }
  cameraSelect.addEventListener("change", () => feedback.act(() => switchDevice("camera")));
  microphoneSelect.addEventListener("change", () => feedback.act(() => switchDevice("microphone")));

  media.onTrack = () => render();

  function render() {
    const catalogue = new Map((state.tracks ?? []).map((entry) => [entry.publication_id, entry]));
    const remote = media.remoteTracks;
    for (const [publication, el] of rendered) {
      if (catalogue.has(publication) && remote.get(publication) === el.srcObject?.getTracks()[0]) continue;
      el.remove();
      rendered.delete(publication);
    }
    for (const [publication, track] of remote) {
      const entry = catalogue.get(publication);
      if (!entry || rendered.has(publication)) continue;
      const el =
        track.kind === "audio"
          ? mediaElement("audio", "remote-audio", publication, entry)
          : mediaElement("video", entry.source === "screen" ? "remote-screen" : "remote-video", publication, entry);
      el.srcObject = new MediaStream([track]);
      rendered.set(publication, el);
      (track.kind === "audio" ? sounds : entry.source === "screen" ? screen : cameras).append(el);
    }
    for (const el of rendered.values()) {
      if (el.tagName === "VIDEO") el.hidden = audioOnly;
    }
    screen.hidden = audioOnly || !screen.querySelector("video");
  }

  function update(next) {
    state = next;
    const sources = publishable(state);
    controls.hidden = sources.length === 0;
    for (const source of ALL_SOURCES) {
      const on = Boolean(media.localTrack(source));
      toggles[source].hidden = !sources.includes(source) && !on;
      toggles[source].textContent = t(`room.media.${on ? "stop" : "start"}.${source}`);
      toggles[source].setAttribute("aria-pressed", String(on));
    }
    for (const source of INVITED_SOURCES) {
      // A revoked student's tracks stop: the server no longer forwards them anyway.
      if (media.localTrack(source) && !sources.includes(source)) feedback.act(() => stopPublishing(source));
    }
    const others = (state.tracks ?? []).some((entry) => entry.user_id !== state.you.id);
    if (others && !media.joined) feedback.act(() => media.join({ video: !audioOnly }));
    const request = state.unmuteRequest;
    asked.hidden = !request || request === answered || Boolean(media.localTrack("microphone"));
    if (request) askedText.textContent = t("room.media.unmuteRequest", { name: request.by });
    const speaker = state.speaking;
    speaking.textContent = speaker ? t("room.media.speaking", { name: nameOf(state, speaker) }) : "";
    speaking.dataset.userId = speaker ?? "";
    render();
  }

  if (!controls.hidden) listDevices();
  controls.addEventListener("focusin", () => listDevices(), { once: true });

  return {
    element,
    screen,
    media,
    events: [
      "media:tracks",
      "media:permissions",
      "media:speaking",
      "roster:updated",
      "roster:joined",
      "roster:left",
      "participant:unmute_requested",
    ],
    update,
    close: () => {
      status.close();
      media.close();
    },
  };
}
