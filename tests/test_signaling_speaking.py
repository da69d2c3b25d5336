"""The active speaker: the loudest voice per window, announced only on change."""

from __future__ import annotations

from signaling.speaking import QUIET_WINDOWS, VOICE_LEVEL, SpeakerDetector


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
