"""Languages end to end without rendering (issue 15): detection on the labelled corpus, the
stop words, keywords and hashtags of a script in each of the eight languages, hook templates
and calls to action, file names."""

from __future__ import annotations

import pytest

from tests.language_corpus import CORPUS, scripts
from video_orchestrator.domain.script import Script
from video_orchestrator.languages import SUPPORTED
from video_orchestrator.languages.detect import detect_language
from video_orchestrator.languages.slug import slugify
from video_orchestrator.languages.stopwords import stop_words
from video_orchestrator.pipeline.hooks import bundled_library, hook_context, template_hooks
from video_orchestrator.pipeline.optimise import OptimiseInput, default_cta
from video_orchestrator.pipeline.script_import import script_from_text
from video_orchestrator.pipeline.script_writer import stop_words_for
from video_orchestrator.pipeline.source_script import SourceText, script_from_source
from video_orchestrator.platforms import get_preset
from video_orchestrator.services.facade import recommended_download
from video_orchestrator.services.languages import language_for, spoken_text
from video_orchestrator.services.make import output_paths
from video_orchestrator.text import content_words


@pytest.mark.parametrize("language", SUPPORTED)
def test_scripts_of_two_and_five_sentences_are_detected_every_time(language: str) -> None:
    for size in (2, 5):
        for text in scripts(language, size):
            found = detect_language(text)
            assert found is not None and found.language == language, (text, found)


def test_one_sentence_is_enough_for_nearly_every_script() -> None:
    texts = [(lang, text) for lang in SUPPORTED for text in scripts(lang, 1)]
    right = sum(1 for lang, text in texts if (f := detect_language(text)) and f.language == lang)
    assert right / len(texts) >= 0.95, right


def test_no_letters_is_no_answer() -> None:
    assert detect_language("") is None
    assert detect_language("🔥 123 !!!") is None


def _no_stop_words(words: list[str], language: str) -> None:
    stops = stop_words_for(language)
    assert words, language
    words = [w.casefold() for w in words]
    found = [w for w in words if w.casefold() in stops]
    assert not found, (language, found)


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_script_in_each_language_has_keywords_and_hashtags_without_its_stop_words(
    language: str,
) -> None:
    text = "\n\n".join(scripts(language, 5)[:2])
    found = detect_language(text)
    assert found is not None and found.language == language
    script = script_from_text(text, language=found.language)
    assert script.language == language
    keywords = [k for scene in script.scenes for k in scene.keywords]
    _no_stop_words(keywords, language)
    _no_stop_words(script.hashtags, language)


@pytest.mark.parametrize("language", [code for code in SUPPORTED if code != "ja"])
def test_the_offline_writer_keeps_stop_words_out_of_hashtags(language: str) -> None:
    source = SourceText(
        text="\n\n".join(" ".join(CORPUS[language][i : i + 3]) for i in (0, 3, 6)),
        title=None,
        origin="notes.txt",
    )
    script = script_from_source(source, language=language, target_seconds=30)
    assert script.language == language
    _no_stop_words(script.hashtags, language)
    _no_stop_words([k for scene in script.scenes for k in scene.keywords], language)


def test_romanian_filler_words_never_become_hashtags_and_diacritics_stay() -> None:
    text = (
        "Știați că în București există un lac făcut de mână? "
        "Lacul din București are o insulă.\n\n"
        "În București există și un lac mai vechi. Lacul are trei poduri."
    )
    script = script_from_text(text, language="ro")
    assert "există" not in script.hashtags and "știați" not in script.hashtags
    # a name keeps its capital; a noun is tagged in its dictionary form (lacul → lac)
    assert "București" in script.hashtags and "lac" in script.hashtags


def test_romanian_stop_words_match_both_spellings_of_s_and_t() -> None:
    stops = stop_words("ro", ["ştiaţi"])
    assert {"și", "şi", "știați", "ştiaţi"} <= stops


def test_french_and_italian_elisions_leave_the_word() -> None:
    assert content_words("L'océan d'Islande", stop_words_for("fr")) == ["océan", "islande"]
    assert content_words("dell'oceano e l'isola", stop_words_for("it")) == ["oceano", "isola"]


@pytest.mark.parametrize("language", SUPPORTED)
def test_hook_templates_exist_and_fill_in_every_language(language: str) -> None:
    library = bundled_library()
    script = script_from_text("\n\n".join(scripts(language, 5)[:2]), language=language)
    context = hook_context(
        "Vulcani" if language == "it" else script.topic,
        script,
        get_preset("tiktok"),
        language=language,
        library=library,
    )
    hooks = template_hooks(context, library)
    assert len({kind for _, kind in hooks}) >= 6, hooks
    assert all("{" not in text and "}" not in text for text, _ in hooks)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ro", "Urmărește-mă pentru mai multe despre"),
        ("es", "Sígueme para más sobre"),
        ("de", "Folge mir für mehr über"),
        ("en", "Follow for more about"),
    ],
)
def test_the_call_to_action_speaks_the_script_language(language: str, expected: str) -> None:
    script = Script(
        topic="vulcani",
        language=language,
        title="t",
        hook="Hook here.",
        scenes=[{"narration": "Some words here."}],  # type: ignore[list-item]
    )
    assert default_cta(OptimiseInput(script, get_preset("tiktok"))).startswith(expected)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Știați că în București există un lac?", "stiati-ca-in-bucuresti-exista-un-lac"),
        ("Die größte Straße Österreichs", "die-grosste-strasse-osterreichs"),
        (
            "¿Sabías que los pulpos tienen tres corazones?",
            "sabias-que-los-pulpos-tienen-tres-corazones",
        ),
        ("Ça coûte 3 € à Paris 🔥", "ca-coute-3-eur-a-paris"),
        ("すしのひみつ", "sushinohimitsu"),
        ("タコには心臓が三つある", "タコには心臓が三つある"),
        ("🔥🔥", "video"),
    ],
)
def test_file_names_are_transliterated_not_mangled(title: str, name: str) -> None:
    assert slugify(title) == name
    assert output_paths(__import__("pathlib").Path("out"), title)["video"].name == f"{name}.mp4"


def test_long_titles_are_cut_at_a_word() -> None:
    name = slugify("Știați că " * 20)
    assert len(name) <= 60 and not name.endswith("-") and name.startswith("stiati-ca-")


def test_a_script_json_declares_its_language_and_only_its_words_are_read() -> None:
    declared, text = spoken_text(
        '{"language": "pt", "title": "A", "hook": "Olá mundo", "scenes": []}'
    )
    assert declared == "pt" and "title" not in text and "Olá mundo" in text
    assert spoken_text("Bună ziua") == (None, "Bună ziua")


class _Voice:
    def __init__(self, id: str, quality: str, speakers: int = 1) -> None:
        self.id, self.quality, self.num_speakers = id, quality, speakers


def test_the_download_for_a_language_is_the_recommended_voice_else_the_best_quality() -> None:
    voices = [_Voice("ro_RO-x-high", "high"), _Voice("ro_RO-mihai-medium", "medium")]
    assert recommended_download(voices, "ro") == "ro_RO-mihai-medium"
    others = [
        _Voice("xx_XX-a-low", "low"),
        _Voice("xx_XX-b-high", "high", 4),
        _Voice("xx_XX-c-high", "high"),
    ]
    assert recommended_download(others, "xx") == "xx_XX-c-high"


def test_the_language_given_wins_then_the_script_then_a_sure_topic_then_english() -> None:
    romanian = "Știați că în București există un lac? Lacul are trei poduri vechi."
    assert language_for(romanian, None, "de") == "de"
    assert language_for(romanian, None, None) == "ro"
    assert language_for(None, "croissant", None) == "en"  # one word: never taken as French
    assert language_for(None, "los secretos del océano más profundo del mundo", None) == "es"


def test_a_voice_of_another_language_is_its_own_api_problem() -> None:
    from video_orchestrator.api.problems import status_of
    from video_orchestrator.errors import VoiceLanguageMismatch, VoiceNotFoundError

    assert status_of(VoiceLanguageMismatch("x")) == (422, "voice-language-mismatch")
    assert status_of(VoiceNotFoundError("x")) == (422, "voice-not-found")


def test_a_japanese_hook_is_scored_inside_its_unspaced_words() -> None:
    from video_orchestrator.pipeline.hooks import score_hook

    context = hook_context("タコ", None, get_preset("tiktok"), language="ja")
    hook = score_hook("タコには心臓が三つあるって知ってた？", "question", context)
    assert hook.component("curiosity").points == hook.component("curiosity").max_points
    assert hook.component("numbers").points > 0  # 三
    assert hook.component("you").points > 0  # 知ってた: asks the viewer
    flat = score_hook("タコは海にいる。", "statement", context)
    assert flat.component("curiosity").points == 0 and flat.component("numbers").points == 0


@pytest.mark.parametrize(
    ("language", "text", "kept", "dropped"),
    [
        (
            "fr",
            "Les pieuvres ont trois cœurs et du sang bleu. Cependant, leurs bras goûtent ce "
            "qu'ils touchent. Abonnez-vous à notre newsletter pour plus de vidéos.",
            "Leurs bras goûtent",
            "newsletter",
        ),
        (
            "ro",
            "Caracatițele au trei inimi și sânge albastru. Totuși, brațele lor gustă tot ce "
            "ating. Abonează-te la newsletter pentru mai multe clipuri.",
            "Brațele lor gustă",
            "newsletter",
        ),
        (
            "de",
            "Kraken haben drei Herzen und blaues Blut. Außerdem schmecken ihre Arme alles, "
            "was sie berühren. Jetzt den Newsletter abonnieren und nichts verpassen.",
            "Außerdem schmecken",  # no comma in German: cutting it would put the verb first
            "Newsletter",
        ),
    ],
)
def test_the_offline_writer_trims_connectives_and_drops_page_furniture_in_each_language(
    language: str, text: str, kept: str, dropped: str
) -> None:
    from video_orchestrator.pipeline.source_script import source_sentences

    said = [s.text for s in source_sentences(SourceText(text, None, "notes.md"), language)]
    assert any(s.startswith(kept) for s in said), said
    assert not any(dropped in s for s in said), said


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "fr",
            "Les pieuvres ont trois cœurs et du sang bleu. Les pieuvres changent de couleur.",
            "aux pieuvres",  # à + les, contracted
        ),
        ("es", "El océano es profundo. El océano cubre casi todo el planeta.", "del océano"),
        ("it", "Il mare è profondo. Il mare copre quasi tutto il pianeta.", "sul mare"),
    ],
)
def test_a_subject_from_the_script_keeps_its_article_and_contracts_with_prepositions(
    language: str, text: str, expected: str
) -> None:
    library = bundled_library()
    script = script_from_text(text, language=language)
    context = hook_context(script.topic, script, get_preset("tiktok"), language=language)
    hooks = [hook for hook, _ in template_hooks(context, library)]
    assert any(expected in hook for hook in hooks), hooks
    assert not any(" de el " in h or " su il " in h or " à les " in h for h in hooks), hooks
