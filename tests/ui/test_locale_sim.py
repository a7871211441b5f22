"""The studio in the user's language (ADR 0042): the header's language menu switches the
pages' words, numbers and plural forms, and the choice is kept for the next visit. NiceGUI's
simulated user."""

from __future__ import annotations

import pytest
from nicegui.testing import user_simulation

from tests.ui.test_editor_sim import page_for
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.asyncio


async def test_the_language_menu_switches_the_studio_and_is_remembered(ws: Workspace) -> None:
    ws.projects.create(ProjectCreate(topic="the deep ocean"))
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/")
        await user.should_see("New project", retries=100)
        user.find(marker="locale-ro").click()
        await user.open("/")  # the choice reloads the page
        await user.should_see("Proiect nou", retries=100)
        await user.should_see("Caută proiecte")
        await user.should_not_see("New project")
        await user.open("/queue")
        await user.should_see("0 randări", retries=100)  # Romanian's plural form for none
        await user.should_see("Nicio randare aici", retries=100)

        user.find(marker="locale-ja").click()
        await user.open("/")
        await user.should_see("新規プロジェクト", retries=100)
        user.find(marker="locale-en").click()
        await user.open("/")
        await user.should_see("New project", retries=100)
