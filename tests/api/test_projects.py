"""Projects over HTTP: CRUD, duplicate, search, optimistic concurrency, bad input."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import RAW, ClientFactory, problem_of


def create(client: TestClient, **fields: object) -> dict[str, object]:
    response = client.post("/projects", json={"topic": "deep sea creatures", **fields})
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/projects/{response.json()['id']}"
    return dict(response.json())


def test_create_read_list_update_delete(client: TestClient) -> None:
    project = create(client, genre="listicle", platforms=["youtube-shorts", "tiktok"])
    assert project["name"] == "deep sea creatures"
    assert project["version"] == 1
    assert project["platforms"] == ["youtube-shorts", "tiktok"]

    got = client.get(f"/projects/{project['id']}").json()
    assert got == project

    patched = client.patch(
        f"/projects/{project['id']}",
        json={"version": 1, "name": "Abyss", "captions": {"style": "pop"}},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 2
    assert patched.json()["captions"]["style"] == "pop"
    assert patched.json()["genre"] == "listicle"  # untouched fields stay

    page = client.get("/projects", params={"q": "abyss"}).json()
    assert page["total"] == 1 and page["items"][0]["id"] == project["id"]
    assert client.get("/projects", params={"q": "volcano"}).json()["total"] == 0

    assert client.delete(f"/projects/{project['id']}").status_code == 204
    problem = problem_of(client.get(f"/projects/{project['id']}"))
    assert problem["status"] == 404 and "does not exist" in str(problem["detail"])


def test_platform_aliases_are_normalised_and_unknown_ones_refused(client: TestClient) -> None:
    project = create(client, platforms=["shorts"])
    assert project["platforms"] == ["youtube-shorts"]
    problem = problem_of(client.post("/projects", json={"topic": "x", "platforms": ["myspace"]}))
    assert problem["status"] == 422 and "myspace" in str(problem["detail"])


def test_duplicate_copies_settings_under_a_new_id(client: TestClient) -> None:
    project = create(client, voice={"voice": "fake:fake-en", "speed": 1.2})
    copy = client.post(f"/projects/{project['id']}/duplicate", json={}).json()
    assert copy["id"] != project["id"]
    assert copy["name"] == "deep sea creatures (copy)"
    assert copy["voice"] == {"voice": "fake:fake-en", "speed": 1.2}
    assert copy["version"] == 1


def test_two_clients_editing_the_same_project_the_stale_one_gets_409(client: TestClient) -> None:
    project = create(client)
    first = client.patch(f"/projects/{project['id']}", json={"version": 1, "topic": "whales"})
    assert first.status_code == 200
    second = client.patch(f"/projects/{project['id']}", json={"version": 1, "topic": "squid"})
    problem = problem_of(second)
    assert problem["status"] == 409
    assert "version" in str(problem["detail"])
    assert client.get(f"/projects/{project['id']}").json()["topic"] == "whales"


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/projects", content=b'{"topic": "x",', headers={"content-type": "application/json"}
    )
    assert problem_of(response)["status"] == 400


def test_unknown_fields_and_wrong_types_are_422_naming_the_field(client: TestClient) -> None:
    unknown = problem_of(client.post("/projects", json={"topic": "x", "colour": "red"}))
    assert unknown["status"] == 422 and "colour" in str(unknown["detail"])
    wrong = problem_of(client.post("/projects", json={"topic": "x", "target_seconds": "long"}))
    assert wrong["status"] == 422 and "target_seconds" in str(wrong["detail"])
    speed = problem_of(client.post("/projects", json={"topic": "x", "voice": {"speed": 9}}))
    assert "voice.speed" in str(speed["detail"])


def test_a_background_asset_that_does_not_exist_is_refused(client: TestClient) -> None:
    response = client.post("/projects", json={"topic": "x", "background": {"assets": ["nope"]}})
    assert problem_of(response)["status"] == 404


def test_without_a_language_model_a_topic_gets_no_script_but_the_way_out(
    client: TestClient,
) -> None:
    project = create(client, target_seconds=20)
    answer = client.post(f"/projects/{project['id']}/script/generate", json={"version": 1})
    problem = problem_of(answer)
    assert problem["status"] == 422
    assert problem["type"].endswith("/no-script-writer")
    assert "no script writer is configured" in str(problem["detail"])
    assert "--from FILE_OR_URL" in str(problem["detail"]) and "Settings" in str(problem["detail"])
    assert "deep sea creatures" not in str(problem)
    assert client.get(f"/projects/{project['id']}").json()["script"] is None


def test_script_generation_saves_a_script_and_scene_regeneration_changes_one_scene(
    make_client: ClientFactory,
) -> None:
    client = make_client(llm_providers="fake")
    project = create(client, target_seconds=20)
    generated = client.post(f"/projects/{project['id']}/script/generate", json={"version": 1})
    assert generated.status_code == 200, generated.text
    body = generated.json()
    assert body["source"] == "llm"
    script = body["project"]["script"]
    assert script["scenes"] and script["hook"]
    version = body["project"]["version"]

    again = client.post(
        f"/projects/{project['id']}/script/scenes/1/regenerate", json={"version": version}
    ).json()
    new_scenes = again["project"]["script"]["scenes"]
    assert len(new_scenes) == len(script["scenes"])
    assert new_scenes[0] == script["scenes"][0]
    assert again["source"] == "llm"  # the fake model answers alike: the scene may repeat

    stale = client.post(f"/projects/{project['id']}/script/generate", json={"version": version})
    assert problem_of(stale)["status"] == 409
    missing = client.post(
        f"/projects/{project['id']}/script/scenes/99/regenerate",
        json={"version": again["project"]["version"]},
    )
    assert problem_of(missing)["status"] == 422


def test_script_edit_is_validated(client: TestClient) -> None:
    project = create(client)
    bad = client.patch(
        f"/projects/{project['id']}",
        json={"version": 1, "script": {"topic": "x", "title": "t", "hook": "h", "scenes": []}},
    )
    assert problem_of(bad)["status"] == 422


def test_render_settings_round_trip_with_defaults_for_what_is_left_out(client: TestClient) -> None:
    project = create(client)
    assert project["captions"] == {
        "style": "karaoke",
        "size": None,
        "colour": "#FFFFFF",
        "highlight_colour": "#FFE14D",
        "anchor": "bottom",
        "max_words": None,
    }
    assert project["background"] == {
        "assets": [],
        "ken_burns": True,
        "look": "illustration",
        "transition": "fade",
        "illustrations": True,
    }
    assert project["audio"] == {
        "music": "auto",
        "sfx": None,
        "music_asset": None,
        "music_gain_db": -8.0,
        "ducking": True,
        "ducking_strength": 8.0,
        "loudness_lufs": None,
        "sfx_asset": None,
        "sfx_gain_db": -8.0,
    }
    assert project["export"] == {"trim": False, "quality": "standard"}

    patched = client.patch(
        f"/projects/{project['id']}", json={"version": 1, "captions": {"style": "pop", "size": 120}}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["captions"] == {**project["captions"], "style": "pop", "size": 120}

    settings = {
        "captions": {
            "style": "clean",
            "size": 40,
            "colour": "#00ff00",
            "highlight_colour": "#123ABC",
            "anchor": "middle",
            "max_words": 12,
        },
        "background": {
            "assets": [],
            "ken_burns": False,
            "look": "typography",
            "transition": "circleopen",
            "illustrations": False,
        },
        "audio": {
            "music": "calm",
            "sfx": "whoosh",
            "music_asset": None,
            "music_gain_db": -20.0,
            "ducking": True,
            "ducking_strength": 20.0,
            "loudness_lufs": -30.0,
            "sfx_asset": None,
            "sfx_gain_db": 6.0,
        },
        "export": {"trim": True, "quality": "high"},
    }
    again = client.patch(f"/projects/{project['id']}", json={"version": 2, **settings})
    assert again.status_code == 200, again.text
    got = client.get(f"/projects/{project['id']}").json()
    assert {key: got[key] for key in settings} == settings
    copy = client.post(f"/projects/{project['id']}/duplicate", json={}).json()
    assert {key: copy[key] for key in settings} == settings


def test_background_look_is_a_setting_and_the_old_illustrations_switch_still_reads(
    client: TestClient,
) -> None:
    project = create(client)
    both = client.patch(
        f"/projects/{project['id']}",
        json={"version": 1, "background": {"look": "both"}},
    )
    assert both.status_code == 200, both.text
    assert both.json()["background"]["look"] == "both"
    assert both.json()["background"]["illustrations"] is True
    # a client that knows only the old switch: off is "colours only"
    old = client.patch(
        f"/projects/{project['id']}",
        json={"version": 2, "background": {"illustrations": False}},
    )
    assert old.status_code == 200, old.text
    assert old.json()["background"]["look"] == "plain"
    bad = client.patch(
        f"/projects/{project['id']}",
        json={"version": 3, "background": {"look": "sparkles"}},
    )
    assert problem_of(bad)["status"] == 422


def test_render_settings_are_in_the_openapi_schema(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    captions = schemas["CaptionSettings"]["properties"]
    assert {"size", "colour", "highlight_colour", "anchor", "max_words"} <= set(captions)
    assert captions["anchor"]["enum"] == ["top", "middle", "bottom"]
    assert schemas["BackgroundSettings"]["properties"]["transition"]["default"] == "fade"
    audio = schemas["AudioSettings"]["properties"]
    assert {"ducking_strength", "loudness_lufs", "sfx_asset", "sfx_gain_db"} <= set(audio)
    assert schemas["ExportSettings"]["properties"]["quality"]["enum"] == [
        "draft",
        "standard",
        "high",
    ]


def test_bad_render_settings_are_422_naming_the_field(client: TestClient) -> None:
    project = create(client)
    bad = {
        "captions.size": {"captions": {"size": 300}},
        "captions.colour": {"captions": {"colour": "red"}},
        "captions.highlight_colour": {"captions": {"highlight_colour": "#FFE14D80"}},
        "captions.anchor": {"captions": {"anchor": "left"}},
        "captions.max_words": {"captions": {"max_words": 0}},
        "background.transition": {"background": {"transition": "spin"}},
        "background.ken_burns": {"background": {"ken_burns": "sometimes"}},
        "audio.ducking_strength": {"audio": {"ducking_strength": 0.5}},
        "audio.loudness_lufs": {"audio": {"loudness_lufs": -5}},
        "audio.sfx_gain_db": {"audio": {"sfx_gain_db": 12}},
        "export.quality": {"export": {"quality": "ultra"}},
    }
    for field, body in bad.items():
        problem = problem_of(
            client.patch(f"/projects/{project['id']}", json={"version": 1, **body})
        )
        assert problem["status"] == 422 and field in str(problem["detail"]), (field, problem)
    created = problem_of(client.post("/projects", json={"topic": "x", "captions": {"size": 39}}))
    assert created["status"] == 422 and "captions.size" in str(created["detail"])
    assert client.get(f"/projects/{project['id']}").json()["version"] == 1  # nothing changed


def test_a_sound_effect_must_be_an_audio_asset(client: TestClient, clip: Path, tone: Path) -> None:
    project = create(client)
    missing = problem_of(
        client.patch(
            f"/projects/{project['id']}", json={"version": 1, "audio": {"sfx_asset": "nope"}}
        )
    )
    assert missing["status"] == 404 and "sound effect" in str(missing["detail"])
    video = client.post(
        "/assets", params={"filename": "ocean.mp4"}, content=clip.read_bytes(), headers=RAW
    )
    wrong = problem_of(
        client.post("/projects", json={"topic": "x", "audio": {"sfx_asset": video.json()["id"]}})
    )
    assert wrong["status"] == 422 and "not audio" in str(wrong["detail"])
    sound = client.post(
        "/assets", params={"filename": "whoosh.wav"}, content=tone.read_bytes(), headers=RAW
    )
    assert sound.status_code == 201, sound.text
    fine = client.patch(
        f"/projects/{project['id']}",
        json={"version": 1, "audio": {"sfx_asset": sound.json()["id"], "sfx_gain_db": -3}},
    )
    assert fine.status_code == 200, fine.text
    assert fine.json()["audio"]["sfx_asset"] == sound.json()["id"]


def test_each_scene_has_its_own_background_and_null_is_a_generated_one(
    client: TestClient, clip: Path, tone: Path
) -> None:
    project = create(client)
    video = client.post(
        "/assets", params={"filename": "reef.mp4"}, content=clip.read_bytes(), headers=RAW
    )
    reef = video.json()["id"]
    patched = client.patch(
        f"/projects/{project['id']}", json={"version": 1, "background": {"assets": [None, reef]}}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["background"]["assets"] == [None, reef]
    assert client.get(f"/projects/{project['id']}").json()["background"]["assets"] == [None, reef]
    copy = client.post(f"/projects/{project['id']}/duplicate", json={}).json()
    assert copy["background"]["assets"] == [None, reef]

    missing = problem_of(
        client.patch(
            f"/projects/{project['id']}",
            json={"version": 2, "background": {"assets": [None, "nope"]}},
        )
    )
    assert missing["status"] == 404 and "nope" in str(missing["detail"])
    sound = client.post(
        "/assets", params={"filename": "bed.wav"}, content=tone.read_bytes(), headers=RAW
    )
    not_visual = problem_of(
        client.patch(
            f"/projects/{project['id']}",
            json={"version": 2, "background": {"assets": [sound.json()["id"], None]}},
        )
    )
    assert not_visual["status"] == 422 and "background" in str(not_visual["detail"])
    too_many = problem_of(
        client.patch(
            f"/projects/{project['id']}",
            json={"version": 2, "background": {"assets": [None] * 51}},
        )
    )
    assert too_many["status"] == 422 and "background.assets" in str(too_many["detail"])
    assert client.get(f"/projects/{project['id']}").json()["version"] == 2  # nothing changed
    schema = client.get("/openapi.json").json()["components"]["schemas"]["BackgroundSettings"]
    assert {"type": "null"} in schema["properties"]["assets"]["items"]["anyOf"]
