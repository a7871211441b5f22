"""The Audio tab's mixed-audio preview: a real render of the project's voice, music and sound
effect, checked by measuring the file (length, streams, loudness) and by its cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media import ffmpeg_exe, make_click, make_tone
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.render.measure import measure_loudness
from video_orchestrator.render.probe import probe
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.projects import (
    AudioSettings,
    ProjectCreate,
    ProjectOut,
    ProjectUpdate,
)
from video_orchestrator.services.studio import (
    MIX_LEAD_IN,
    MIX_MAX_SECONDS,
    MIX_MIN_SECONDS,
    MIX_TAIL,
    Studio,
    cut_text,
)

pytestmark = pytest.mark.render

HOOK = "Deep under the waves, the ocean hides a world we barely know."


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Studio]:
    ctx = AppContext(
        Settings(
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            default_voice="fake:fake-en",
        )
    )
    yield Studio(ctx)
    ctx.db.dispose()


def project_with_sound(studio: Studio, tmp_path: Path, **audio: object) -> ProjectOut:
    assets = AssetService(studio.ctx.db, studio.ctx.files)
    music, _ = assets.add_file(make_tone(tmp_path / "bed.wav", seconds=4.0), "bed.wav")
    click, _ = assets.add_file(make_click(tmp_path / "click.wav"), "click.wav")
    project = studio.projects.create(ProjectCreate(topic="the deep ocean"))
    script = Script(
        topic="the deep ocean",
        title="The deep ocean",
        hook=HOOK,
        scenes=[Scene(narration="Most of it has never been seen.")],
    )
    settings = AudioSettings.model_validate(
        {"music_asset": music.id, "sfx_asset": click.id, **audio}
    )
    return studio.projects.update(
        project.id, ProjectUpdate(version=project.version, script=script, audio=settings)
    )


def test_the_mix_is_the_hook_over_the_music_levelled_to_the_platform_target(
    studio: Studio, tmp_path: Path
) -> None:
    project = project_with_sound(studio, tmp_path)
    mix = studio.audio_preview(project.id)

    assert mix.suffix == ".m4a" and mix.parent == studio.ctx.settings.cache_dir / "previews"
    info = probe(mix)
    assert info.video is None and info.audio is not None
    voice = studio.voice_preview("fake:fake-en", HOOK, language="en")
    voice_seconds = probe(voice).duration or 0.0
    expected = min(max(MIX_LEAD_IN + voice_seconds + MIX_TAIL, MIX_MIN_SECONDS), MIX_MAX_SECONDS)
    assert info.duration == pytest.approx(expected, abs=0.15)
    loudness = measure_loudness(mix, ffmpeg_exe())
    assert loudness.integrated_lufs == pytest.approx(-14.0, abs=1.0)  # TikTok's target
    # no half-written or intermediate file is left beside it
    assert sorted(p.name for p in mix.parent.iterdir() if p.name.startswith(".")) == []


def test_the_project_loudness_wins_and_the_same_settings_are_served_from_the_cache(
    studio: Studio, tmp_path: Path
) -> None:
    project = project_with_sound(studio, tmp_path, loudness_lufs=-20.0, ducking_strength=20.0)
    first = studio.audio_preview(project.id)
    assert measure_loudness(first, ffmpeg_exe()).integrated_lufs == pytest.approx(-20.0, abs=1.0)
    made = first.stat().st_mtime_ns

    again = studio.audio_preview(project.id)
    assert again == first and again.stat().st_mtime_ns == made

    louder = studio.projects.update(
        project.id,
        ProjectUpdate(
            version=project.version,
            audio=project.audio.model_copy(update={"loudness_lufs": -12.0}),
        ),
    )
    other = studio.audio_preview(louder.id)
    assert other != first
    assert measure_loudness(other, ffmpeg_exe()).integrated_lufs == pytest.approx(-12.0, abs=1.0)


def test_cut_text_cuts_at_a_word_and_says_so() -> None:
    assert cut_text("short enough", 400) == ("short enough", False)
    text, cut = cut_text("one two three four", 9)
    assert (text, cut) == ("one two", True)
    assert len(cut_text("x" * 500, 400)[0]) == 400
