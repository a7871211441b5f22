"""A small labelled corpus for language detection: ten short, natural sentences per
language, written for this project (the kind of lines a short video says), not taken from
anywhere. Used by tests/unit/test_language_detection.py and bench/language_detection.py.

Scripts of 1, 2 and 5 sentences are made from consecutive sentences (wrapping round).
"""

from __future__ import annotations

CORPUS: dict[str, tuple[str, ...]] = {
    "en": (
        "Octopuses have three hearts and blue blood.",
        "Most people never notice this detail on their phone.",
        "The deepest part of the ocean is almost eleven kilometres down.",
        "Honey found in ancient tombs was still good to eat.",
        "Here is the trick nobody told me about sourdough.",
        "You can see the Great Wall from a plane, but not from space.",
        "Bananas are berries, and strawberries are not.",
        "This tiny island has more sheep than people.",
        "Save this video before your next trip to Lisbon.",
        "Why do cats always land on their feet?",
    ),
    "ro": (
        "Știați că în București există un lac făcut de mână?",
        "Caracatițele au trei inimi și sânge albastru.",
        "Cei mai mulți oameni nu observă niciodată acest detaliu.",
        "Mierea găsită în morminte vechi se putea mânca și azi.",
        "Uite trucul pe care nu mi l-a spus nimeni despre pâine.",
        "Munții Carpați se întind pe peste o mie de kilometri.",
        "Bananele sunt fructe de pădure, iar căpșunile nu.",
        "Salvează clipul ăsta înainte de următoarea excursie.",
        "De ce cad pisicile mereu în picioare?",
        "Delta Dunării are peste trei sute de specii de păsări.",
    ),
    "es": (
        "¿Sabías que los pulpos tienen tres corazones?",
        "La mayoría de la gente nunca se fija en este detalle.",
        "La parte más profunda del océano está a casi once kilómetros.",
        "La miel encontrada en tumbas antiguas todavía se podía comer.",
        "Este es el truco que nadie me contó sobre el pan.",
        "Los plátanos son bayas, pero las fresas no.",
        "Esta pequeña isla tiene más ovejas que personas.",
        "Guarda este vídeo antes de tu próximo viaje a Sevilla.",
        "¿Por qué los gatos siempre caen de pie?",
        "En Madrid hay más de cuarenta museos abiertos al público.",
    ),
    "fr": (
        "Vous saviez que les pieuvres ont trois cœurs ?",
        "La plupart des gens ne remarquent jamais ce détail.",
        "Le point le plus profond de l'océan est à près de onze kilomètres.",
        "Le miel retrouvé dans des tombes anciennes était encore mangeable.",
        "Voici l'astuce que personne ne m'a donnée pour le pain.",
        "Les bananes sont des baies, mais pas les fraises.",
        "Cette petite île compte plus de moutons que d'habitants.",
        "Enregistre cette vidéo avant ton prochain voyage à Lyon.",
        "Pourquoi les chats retombent-ils toujours sur leurs pattes ?",
        "La tour Eiffel grandit de quelques centimètres en été.",
    ),
    "de": (
        "Wusstest du, dass Kraken drei Herzen haben?",
        "Die meisten Leute bemerken dieses Detail nie.",
        "Die tiefste Stelle des Ozeans liegt fast elf Kilometer unter dem Meer.",
        "Honig aus alten Gräbern war noch immer essbar.",
        "Das ist der Trick, den mir niemand über Sauerteig verraten hat.",
        "Bananen sind Beeren, Erdbeeren aber nicht.",
        "Diese kleine Insel hat mehr Schafe als Einwohner.",
        "Speicher dir das Video vor deiner nächsten Reise nach Wien.",
        "Warum landen Katzen immer auf den Pfoten?",
        "Der Rhein fließt durch sechs Länder bis zur Nordsee.",
    ),
    "pt": (
        "Você sabia que o polvo tem três corações?",
        "A maioria das pessoas nunca repara neste detalhe.",
        "A parte mais funda do oceano fica a quase onze quilômetros.",
        "O mel encontrado em túmulos antigos ainda podia ser comido.",
        "Esse é o truque que ninguém me contou sobre pão caseiro.",
        "Bananas são bagas, mas morangos não são.",
        "Esta pequena ilha tem mais ovelhas do que gente.",
        "Salva este vídeo antes da tua próxima viagem a Lisboa.",
        "Por que os gatos sempre caem de pé?",
        "O Rio Amazonas despeja mais água no mar do que qualquer outro.",
    ),
    "it": (
        "Lo sapevi che i polpi hanno tre cuori?",
        "La maggior parte delle persone non nota mai questo dettaglio.",
        "Il punto più profondo dell'oceano è a quasi undici chilometri.",
        "Il miele trovato nelle tombe antiche era ancora commestibile.",
        "Ecco il trucco che nessuno mi ha mai detto sul pane.",
        "Le banane sono bacche, le fragole invece no.",
        "Quest'isola minuscola ha più pecore che abitanti.",
        "Salva questo video prima del tuo prossimo viaggio a Napoli.",
        "Perché i gatti cadono sempre in piedi?",
        "A Venezia ci sono più di quattrocento ponti.",
    ),
    "ja": (
        "タコには心臓が三つあるって知ってた？",
        "ほとんどの人はこの細かい所に気づかない。",
        "海の一番深い所は、ほぼ十一キロの深さがある。",
        "古いお墓で見つかったはちみつは、今でも食べられた。",
        "パン作りで誰も教えてくれなかったコツがこれ。",
        "バナナはベリーの仲間だけど、イチゴは違う。",
        "この小さな島には人より羊の方が多い。",
        "次の旅行の前にこの動画を保存してね。",
        "猫はなぜいつも足から着地するの？",
        "京都には千六百以上のお寺がある。",
    ),
}


def scripts(language: str, sentences: int) -> list[str]:
    """Every script of ``sentences`` consecutive sentences of ``language`` (wrapping round),
    one starting at each sentence."""
    lines = CORPUS[language]
    joiner = "" if language == "ja" else " "
    return [
        joiner.join(lines[(start + offset) % len(lines)] for offset in range(sentences))
        for start in range(len(lines))
    ]
