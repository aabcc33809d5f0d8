"""Throughput of feedback.text.analyze against raw TextBlob on the same generated texts.

Usage (from the repo root): .venv/bin/python bench/bench_text.py [--n 10000] [--seed 7]
Targets: >= 3,000 texts/s on one core, and >= 0.8x raw TextBlob (PatternAnalyzer
blob.sentiment with the known language's analyzer; analyze also detects the language and
finds emotions and themes). Exits 1 and prints MISS when a target is missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textblob import TextBlob  # noqa: E402
from textblob.sentiments import PatternAnalyzer as EnglishAnalyzer  # noqa: E402
from textblob_fr import PatternAnalyzer as FrenchAnalyzer  # noqa: E402, I001

from feedback.text import analyze  # noqa: E402  (applies the textblob-fr fix first)

TARGET_RATE = 3000.0
TARGET_RATIO = 0.8

_PARTS = {
    "en": [
        "My order arrived three days late",
        "the box was crushed and the mug broken",
        "customer service never answers the phone",
        "really happy with the quality",
        "not happy at all with the refund delay",
        "great product but the courier lost it",
        "the app keeps crashing when I pay",
        "fast delivery, thanks a lot",
        "still waiting for my parcel after two weeks",
        "the promo code didn't work",
        "I would recommend this shop to my friends",
        "way too expensive for what it is",
        "the staff in the store were very kind",
        "took ages to get a reply 😡",
        "love it ❤️",
    ],
    "fr": [
        "La livraison a pris 12 jours",
        "colis arrivé abîmé, carton écrasé",
        "le service client ne répond jamais",
        "très contente de la qualité",
        "pas content du tout du remboursement",
        "produit top mais le transporteur l'a perdu",
        "l'appli plante au moment de payer",
        "livraison rapide, merci beaucoup",
        "toujours pas reçu mon colis",
        "le code promo ne fonctionne pas",
        "je recommande à tout le monde",
        "beaucoup trop cher pour ce que c'est",
        "vendeuse adorable en magasin",
        "tres decu, sav nul 😡",
        "grave bien 👍",
    ],
}


def generate(n: int, seed: int) -> list[tuple[str, str]]:
    """n texts of ~150 characters, half English and half French, each a mix of clauses."""
    rng = random.Random(seed)
    texts = []
    for k in range(n):
        language = "en" if k % 2 == 0 else "fr"
        parts: list[str] = []
        while sum(len(p) + 2 for p in parts) < 140:
            parts.append(rng.choice(_PARTS[language]))
        text = ", ".join(parts)
        texts.append((text[:1].upper() + text[1:170] + rng.choice([".", "!", "...", ""]), language))
    return texts


def rate(fn, texts: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for text, language in texts:
        fn(text, language)
    return len(texts) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description="analyze vs raw TextBlob throughput")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method, best kept")
    args = parser.parse_args()
    texts = generate(args.n, args.seed)
    analyzers = {"en": EnglishAnalyzer(), "fr": FrenchAnalyzer()}

    def raw(text: str, language: str) -> None:
        TextBlob(text, analyzer=analyzers[language]).sentiment  # noqa: B018

    def ours(text: str, language: str) -> None:
        analyze(text)  # language=None: detection included

    for fn in (raw, ours):  # warm-up: lexicons load once, outside the timing
        fn(*texts[0])
    mean_len = sum(len(t) for t, _ in texts) / len(texts)
    # Best of three interleaved runs each: the same treatment for both, less noise from
    # other processes on the machine.
    raw_rates, our_rates = [], []
    for _ in range(args.repeat):
        raw_rates.append(rate(raw, texts))
        our_rates.append(rate(ours, texts))
    raw_rate, our_rate = max(raw_rates), max(our_rates)
    ratio = our_rate / raw_rate
    print(
        f"{len(texts)} texts, mean {mean_len:.0f} characters, half EN / half FR, one core, "
        f"best of {args.repeat} runs"
    )
    print(f"raw TextBlob (PatternAnalyzer blob.sentiment): {raw_rate:8.0f} texts/s")
    print(f"feedback.text.analyze (language=None):         {our_rate:8.0f} texts/s")
    ok_rate = our_rate >= TARGET_RATE
    ok_ratio = ratio >= TARGET_RATIO
    print(f"target >= {TARGET_RATE:.0f} texts/s: {'OK' if ok_rate else 'MISS'}")
    verdict = "OK" if ok_ratio else "MISS"
    print(f"ratio {ratio:.2f}x raw TextBlob, target >= {TARGET_RATIO}x: {verdict}")
    return 0 if ok_rate and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
