"""One project in three languages through the studio, in Chromium (ADR 0039): the Languages
tab adds Romanian and Spanish (a local OpenAI-compatible server translates, then adapts
"two miles" into kilometres), shows the path and the adaptation's note, takes an edited line,
renders all three languages in one batch and shows the three videos."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.translation_server import ADAPTED, NOTE, SCRIPT, llm_url, translation_server
from tests.ui.conftest import free_port, launch, stop
from tests.ui.shots import shoot

RENDER_MS = 240_000
EDITED_HOOK = "¡Cada pulpo tiene tres corazones!"


def add_language(page: Page, name: str) -> None:
    page.get_by_label("Add a language").click()
    page.get_by_role("option", name=name).click()
    page.get_by_role("button", name="Add", exact=True).click()


def test_a_project_is_made_in_three_languages_in_the_studio(
    page: Page, tmp_path: Path, ui_cache: Path
) -> None:
    with translation_server() as llm:
        server, base = launch(
            tmp_path / "data",
            ui_cache,
            free_port(),
            VO_LLM_BASE_URL=llm_url(llm),
            VO_LLM_MODEL="local-model",
            VO_LLM_CACHE="false",
            VO_DEFAULT_VOICE="fake:fake-en",
            VO_LOCAL_VOICE_PROVIDER="espeak-ng",
        )
        try:
            # generous: creating it detects the script's language (lingua's models load once,
            # slowly on a busy machine)
            with httpx.Client(base_url=base, timeout=120) as http:
                made = http.post("/projects", json={"topic": "octopus facts", "script": SCRIPT})
                assert made.status_code == 201, made.text
                project_id = made.json()["id"]

            page.goto(f"{base}/ui/projects/{project_id}")
            page.get_by_role("tab", name="Languages").click()
            expect(page.get_by_text("No other languages yet.")).to_be_visible()

            add_language(page, "Romanian (ro)")
            romanian = page.locator(".language-ro")
            expect(romanian.get_by_label("Scene 1")).to_have_value(ADAPTED["ro"])
            expect(romanian.locator(".language-made")).to_contain_text(
                "translated and adapted by the language model (openai-compatible local-model)"
            )
            expect(romanian.get_by_text("What the adaptation changed")).to_be_visible()
            expect(romanian.locator(".language-note")).to_have_text(f"• {NOTE}")
            expect(romanian.get_by_text("Voice: espeak-ng:ro")).to_be_visible()

            add_language(page, "Spanish (es)")
            spanish = page.locator(".language-es")
            expect(spanish.get_by_label("Scene 1")).to_have_value(ADAPTED["es"])
            spanish.get_by_label("Hook").fill(EDITED_HOOK)
            spanish.get_by_role("button", name="Save the Spanish (es) version").click()
            expect(page.locator(".language-es .language-made")).to_contain_text(", edited")
            shoot(page, "languages-tab")

            page.get_by_role("button", name="Render all languages").click()
            cards = page.locator(".job-card.job-succeeded")
            expect(cards).to_have_count(3, timeout=RENDER_MS)
            expect(page.locator(".job-card.job-succeeded video")).to_have_count(3)
            for language in ("English (en)", "Romanian (ro)", "Spanish (es)"):
                expect(cards.filter(has_text=f"render in {language}")).to_have_count(1)
            shoot(page, "languages-rendered")

            with httpx.Client(base_url=base, timeout=30) as http:
                jobs = http.get("/renders", params={"project_id": project_id}).json()["items"]
                srt = {
                    job["language"]: http.get(f"/renders/{job['id']}/outputs/srt").text
                    for job in jobs
                }
                names = {
                    job["language"]: next(
                        o["filename"] for o in job["outputs"] if o["kind"] == "video"
                    )
                    for job in jobs
                }
            assert names == {
                "en": "octopus-facts-en.mp4",
                "ro": "fapte-despre-caracatite-ro.mp4",
                "es": "datos-sobre-pulpos-es.mp4",
            }
            spoken = {
                code: [w.strip("¡!¿?.,") for w in text.casefold().split()]
                for code, text in srt.items()
            }
            assert "cada" in spoken["es"] and "kilómetros" in spoken["es"]  # edited, adapted
            assert "kilometri" in spoken["ro"] and "hearts" in spoken["en"]
            assert not page.errors  # type: ignore[attr-defined]
        finally:
            stop(server)
