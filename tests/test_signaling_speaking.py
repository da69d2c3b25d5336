"""The active speaker: the loudest voice per window, announced only on change."""

from __future__ import annotations

from signaling.speaking import MIN_VOICED, QUIET_WINDOWS, VOICE_LEVEL, SpeakerDetector


async def test_speaker_changes_are_announced_once_and_held_through_pauses() -> None:
    said: list[int | None] = []

    async def announce(user: int | None) -> None:
        said.append(user)

    detector = SpeakerDetector(announce)

    async def window(levels: dict[int, tuple[int, int]]) -> None:
        for user, (level, packets) in levels.items():
            for _ in range(packets):
                detector.heard(user, level)
        await detector.tick()

    await window({1: (20, 25), 2: (VOICE_LEVEL + 30, 25)})  # 2 is only background noise
    await window({1: (20, 25)})
    assert said == [1]
    await window({1: (20, 10), 2: (10, 20)})
    assert said == [1, 2]
    await window({1: (20, 2)})  # a click is not speech
    for _ in range(QUIET_WINDOWS - 2):
        await window({})
    assert said == [1, 2]  # a pause keeps the speaker
    await window({})
    assert said == [1, 2, None]


async def test_every_voiced_window_is_talk_time_for_each_voice_in_it() -> None:
    talk: dict[int, float] = {}

    async def announce(_user: int | None) -> None:
        pass

    def talked(user: int, seconds: float) -> None:
        talk[user] = talk.get(user, 0.0) + seconds

    detector = SpeakerDetector(announce, window=0.5, talked=talked)
    for packets in ({1: 25, 2: 25}, {1: 25, 2: MIN_VOICED - 1}, {1: MIN_VOICED}, {}):
        for user, count in packets.items():
            for _ in range(count):
                detector.heard(user, 20)
        detector.heard(3, VOICE_LEVEL + 1)  # background noise is never talk
        await detector.tick()
    assert talk == {1: 1.5, 2: 0.5}, "two voices at once both talk; a click does not"
