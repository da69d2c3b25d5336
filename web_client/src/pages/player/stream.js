// Plays a video's HLS master playlist in a <video>: with hls.js over Media Source Extensions,
// else natively where the browser plays HLS itself. Qualities are hls.js's levels plus the
// audio-only variant. hls.js leaves that variant out of a master playlist that also has video,
// so "audio only" plays the variant's own playlist in a fresh hls.js instance from the same
// moment, and choosing a video quality goes back to the master playlist the same way.

const HLS_TYPE = "application/vnd.apple.mpegurl";

// The variant with audio and no video (named "audio", without a RESOLUTION), if there is one.
const audioVariant = (parsedLevels) =>
  parsedLevels.find((level) => level.audioCodec && !level.videoCodec && !level.attrs.RESOLUTION);

function resume(video, wasPlaying) {
  if (wasPlaying) video.play().catch(() => {}); // refused autoplay: the user presses play
}

function nativeStream(video, masterUrl, startAt) {
  video.addEventListener("loadedmetadata", () => (video.currentTime = startAt), { once: true });
  video.src = masterUrl;
  return {
    destroy() {
      video.removeAttribute("src");
      video.load();
    },
  };
}

// Resolves with { select(value), destroy() }, or null when this browser plays neither way.
// onQualities(levels, hasAudioOnly) once the master playlist is read, unless it has no video
// variant (then there is no choice to offer): levels are hls.js's
// ({ name, height }), selected by index; select("auto") lets hls.js choose, select("audio")
// plays audio only. onError() when playback broke for good.
export async function openStream(video, masterUrl, startAt, { onQualities, onError }) {
  const { default: Hls } = await import("hls.js");
  if (!Hls.isSupported()) {
    return video.canPlayType(HLS_TYPE) ? nativeStream(video, masterUrl, startAt) : null;
  }
  let hls = null;
  let audioUrl = null;
  let audioOnly = false;

  function load(url, startPosition, level) {
    hls?.destroy();
    // The captions are the page's own <track> (player/replay.js): hls.js would add the master
    // playlist's subtitle rendition as a second, identical text track.
    const instance = new Hls({ startPosition, enableWebVTT: false, subtitleTrackController: undefined });
    let recovered = false;
    instance.on(Hls.Events.MANIFEST_PARSED, () => {
      if (level >= 0) instance.loadLevel = level;
    });
    instance.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        instance.recoverMediaError();
      } else {
        instance.destroy();
        onError();
      }
    });
    instance.loadSource(url);
    instance.attachMedia(video);
    hls = instance;
    return instance;
  }

  function reload(url, level) {
    const wasPlaying = !video.paused;
    load(url, video.currentTime, level);
    resume(video, wasPlaying);
  }

  // Which variants there are: hls.js's levels once parsed, the audio-only one from the playlist.
  const first = load(masterUrl, startAt, -1);
  const loaded = new Promise((resolve) =>
    first.once(Hls.Events.MANIFEST_LOADED, (_event, data) => resolve(data)),
  );
  const parsed = new Promise((resolve) => first.once(Hls.Events.MANIFEST_PARSED, resolve));
  Promise.all([loaded, parsed]).then(([manifest]) => {
    // A master with no picture at all (an audio-only recording) has nothing to choose from.
    if (!first.levels.some((level) => level.height)) return;
    audioUrl = audioVariant(manifest.levels)?.url ?? null;
    onQualities(
      first.levels.map(({ name, height }) => ({ name, height })),
      audioUrl !== null,
    );
  });

  return {
    select(value) {
      if (value === "audio") {
        audioOnly = true;
        reload(audioUrl, -1);
        return;
      }
      const level = value === "auto" ? -1 : Number(value);
      if (audioOnly) {
        audioOnly = false;
        reload(masterUrl, level);
      } else {
        hls.currentLevel = level;
      }
    },
    destroy() {
      hls?.destroy();
    },
  };
}
