"""The demo's free text: sentences composed from the fragments in `demo_texts`.

A complaint, a mixed or a praising answer per stage, theme and market, with slot values
(days, items, carriers, amounts), lead-ins, some informal French and some typos, so a few
hundred answers read as written by different people.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections.abc import Mapping

from . import demo_texts as fragments

# Words that stay capitalised when a sentence follows a lead-in ("Honestly, ..."): the
# first words of brand names, except those that are ordinary words too ("La Poste").
PROPER_NOUNS = (
    frozenset(
        name.split()[0]
        for name in itertools.chain(
            fragments.NETWORKS, *(m["carriers"] for m in fragments.MARKETS.values())
        )
    )
    | {"Apple", "PayPal"}
) - {"La", "Postes"}


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    # "J'ai" becomes "j'ai"; "I've" and "DPD" stay as they are.
    elided = sentence[1:2] == "'" and sentence[0] != "I"
    if (sentence[1:2].islower() or elided) and first not in PROPER_NOUNS:
        return sentence[0].lower() + sentence[1:]
    return sentence


def _fill(template: str, slots: Mapping[str, object]) -> str:
    sentence = template.format_map(slots)
    return sentence[0].upper() + sentence[1:]


def _slots(rng: random.Random, language: str, market: str) -> dict[str, object]:
    where = fragments.MARKETS[market]
    an_item, item = rng.choice(fragments.ITEMS[language])
    amount = where["money"].format(rng.choice(fragments.PRICES))
    if where["decimal_comma"]:
        amount = amount.replace(".", ",")
    return {
        "days": rng.randint(3, 21),
        "fast_days": rng.randint(2, 4),
        "weeks": rng.randint(2, 6),
        "count": rng.randint(2, 6),
        "minutes": rng.choice((15, 20, 25, 30, 40, 45, 50, 60)),
        "seconds": rng.randint(5, 15),
        "percent": rng.choice((10, 15, 20, 25, 30)),
        "amount": amount,
        "item": item,
        "an_item": an_item,
        "carrier": rng.choice(where["carriers"]),
        "network": rng.choice(fragments.NETWORKS),
        "code": rng.choice(fragments.PROMO_CODES[language]),
        "nth": rng.choice(fragments.NTH[language]),
    }


def _opening(rng: random.Random, band: str, language: str, sentence: str) -> list[str]:
    """The first sentence, sometimes after an opener or a lead-in."""
    draw = rng.random()
    if draw < 0.2:
        return [rng.choice(fragments.OPENERS[band][language]), sentence]
    if draw < 0.35:
        return [rng.choice(fragments.LEAD_INS[band][language]) + _lower_first(sentence)]
    return [sentence]


def _complaint(rng, stage, language, theme, slots) -> list[str]:
    parts = _opening(
        rng, "negative", language, _fill(rng.choice(fragments.COMPLAINTS[theme][language]), slots)
    )
    if rng.random() < 0.25:
        other = rng.choice([t for t in fragments.STAGE_THEMES[stage] if t != theme])
        second = _fill(rng.choice(fragments.COMPLAINTS[other][language]), slots)
        if rng.random() < 0.5:
            second = rng.choice(fragments.ALSO[language]) + _lower_first(second)
        parts.append(second)
    if rng.random() < 0.4:
        parts.append(rng.choice(fragments.CLOSERS["negative"][language]))
    return parts


def _mixed(rng, stage, language, theme, slots) -> list[str]:
    if theme is None:  # already a whole answer: "Correct, sans plus."
        return [rng.choice(fragments.NEUTRAL[language])]
    praise = _fill(rng.choice(fragments.MILD_PRAISE[stage][language]), slots)
    reservation = rng.choice(fragments.COMPLAINTS[theme][language + "_mild"])
    sentence = praise + rng.choice(fragments.BUT[language]) + reservation.format_map(slots) + "."
    if language == "fr":
        sentence = sentence.replace(" si il", " s'il")
    parts = _opening(rng, "passive", language, sentence)
    if rng.random() < 0.3:
        parts.append(rng.choice(fragments.CLOSERS["passive"][language]))
    return parts


def _praise(rng, stage, language, slots) -> list[str]:
    if rng.random() < 0.15:
        bang = " !" if language == "fr" else "!"
        return [rng.choice(fragments.SHORT_PRAISE[language]) + rng.choice(("", ".", bang))]
    first, second = rng.sample(fragments.PRAISE[stage][language], 2)
    parts = _opening(rng, "positive", language, _fill(first, slots))
    if rng.random() < 0.35:
        parts.append(_fill(second, slots))
    closer = rng.choice(fragments.CLOSERS["positive"][language])
    # "I recommend you to everyone. Highly recommend." says the same thing twice.
    if rng.random() < 0.45 and not ("ecommand" in closer and "ecommand" in " ".join(parts)):
        parts.append(closer)
    return parts


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word, at = words[index], rng.randrange(1, len(words[index]) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == 1:
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


def _informal(text: str, language: str) -> str:
    text = text.lower()
    for formal, casual in fragments.INFORMAL[language]:
        text = text.replace(formal, casual)
    if language == "fr":
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return text.rstrip(".")


def compose_text(rng: random.Random, stage: str, market: str, band: str, theme: str | None) -> str:
    """One customer's free-text answer: a complaint, a "good, but..." or praise."""
    language = fragments.MARKETS[market]["language"]
    slots = _slots(rng, language, market)
    if band == "negative":
        parts = _complaint(rng, stage, language, theme, slots)
    elif band == "passive":
        parts = _mixed(rng, stage, language, theme, slots)
    else:
        parts = _praise(rng, stage, language, slots)
    text = " ".join(parts)
    if band == "negative" and rng.random() < 0.12:
        text = text.rstrip(".!") + (" !!!" if language == "fr" else "!!!")
    if rng.random() < 0.1:
        text = _typo(rng, text)
    if rng.random() < (0.15 if language == "fr" else 0.1):
        text = _informal(text, language)
    if rng.random() < {"negative": 0.12, "passive": 0.08, "positive": 0.2}[band]:
        text += " " + rng.choice(fragments.EMOJI[band])
    return text
