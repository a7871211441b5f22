"""The trends, accounts, calendar, experiments pages and the post dialog's words in the
user's language (ADR 0042): a Romanian and a German user see them translated, with their
own plural forms and weekday names. NiceGUI's simulated user."""

from __future__ import annotations

import pytest
from nicegui.testing import user_simulation

from tests.translation_server import SCRIPT
from tests.ui.test_editor_sim import page_for
from video_orchestrator.domain.script import Script
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import i18n, post_dialog


@pytest.mark.asyncio
async def test_the_publishing_and_trend_pages_speak_romanian_and_german(ws: Workspace) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/trends")
        await user.should_see("Poll now", retries=100)
        user.find(marker="locale-ro").click()
        await user.open("/trends")
        await user.should_see("Verifică acum", retries=100)
        await user.should_see("Încă nu există tendințe")
        await user.should_see("Listă urmărită")
        await user.should_not_see("Poll now")
        await user.open("/accounts")
        await user.should_see("Conectează un cont", retries=100)
        await user.should_see("0 conturi conectate", retries=100)  # Romanian's form for none
        await user.open("/experiments")
        await user.should_see("Încă nu există experimente", retries=100)
        await user.should_see("Creează experimentul")
        await user.open("/calendar")
        await user.should_see("Postare nouă", retries=100)
        await user.should_see("Programată")  # the legend's states
        await user.should_see("lun.")  # Monday, as Romanian shortens it

        user.find(marker="locale-de").click()
        await user.open("/calendar")
        await user.should_see("Neuer Post", retries=100)
        await user.should_see("Monat")
        await user.should_not_see("Wed")  # the weekdays are German's (Mi), not English


def test_tiktok_required_texts_are_translated_in_every_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TikTok's consent and labels read in the user's language, naming TikTok and the
    locale's own word for "Only me"."""
    required = (
        post_dialog.MUSIC_CONSENT,
        post_dialog.BRANDED_CONSENT,
        post_dialog.YOUR_BRAND_NOTICE,
        post_dialog.BRANDED_NOTICE,
    )
    for code in (c for c in i18n.LOCALES if c != i18n.DEFAULT):
        monkeypatch.setattr(i18n, "current", lambda c=code: c)
        for text in required:
            assert i18n.tr(text) != text, f"{code}: {text!r} is shown in English"
        assert "TikTok" in i18n.tr(post_dialog.BRANDED_CONSENT)
    monkeypatch.setattr(i18n, "current", lambda: "ro")
    branded = {"privacy_level": "SELF_ONLY", "brand_content_toggle": True}
    problems = post_dialog.tiktok_problems(branded, disclose=True, consent=True)
    assert problems == ["Vizibilitatea conținutului de marcă nu poate fi setată la „Doar eu”."]


@pytest.mark.asyncio
async def test_the_editor_and_analytics_speak_spanish_and_french(ws: Workspace) -> None:
    """The editor's frame, its Script, Captions, Export and Languages tabs, the draft preview
    and Analytics: each shows its words in the chosen language, numbers in its format."""
    project = ws.projects.create(
        ProjectCreate(topic="octopus facts", script=Script.model_validate(SCRIPT))
    )
    async with user_simulation(root=page_for(ws)) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see("Story & Script", retries=100)
        user.find(marker="locale-es").click()  # the page reloads in Spanish
        await user.should_see("Historia y guion", retries=100)  # the frame's tabs
        await user.should_see("Deshacer")
        await user.should_see("Añadir una escena")  # Script
        await user.should_see("palabras · unos")  # its live count, with Spanish plurals
        user.find("Subtítulos").click()
        await user.should_see("Mostrar la zona segura", retries=100)  # Captions
        await user.should_see("una palabra cada vez")  # a style described in Spanish
        user.find("Exportar").click()
        await user.should_see("Renderizados de este proyecto", retries=100)  # Export
        user.find("Idiomas").click()
        await user.should_see("Aún no hay otros idiomas.", retries=100)  # Languages
        await user.should_see("Actualizar la vista previa")  # the draft preview
        await user.should_not_see("Add a scene")

        await user.open("/analytics")
        await user.should_see("Importar exportaciones de analíticas", retries=100)
        user.find(marker="locale-fr").click()
        await user.should_see("Importer des exports de statistiques", retries=100)
        await user.should_see("Pas encore de statistiques")
        await user.should_not_see("No analytics yet")
