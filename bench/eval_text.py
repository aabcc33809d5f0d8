"""Measure feedback.text.analyze against raw TextBlob / textblob-fr on labelled data.

Usage (from the repo root):
    .venv/bin/python bench/eval_text.py            # dev + holdout + public eval-data
    .venv/bin/python bench/eval_text.py --errors dev   # list dev mistakes (tune on dev only)
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from textblob import TextBlob  # noqa: E402
from textblob.sentiments import PatternAnalyzer as EnglishAnalyzer  # noqa: E402

from feedback.text import analyze, label_for  # noqa: E402  (applies the textblob-fr fix)
from feedback.text.textblob_fr_fix import apply as fix_textblob_fr  # noqa: E402

fix_textblob_fr()
from textblob_fr import PatternAnalyzer as FrenchAnalyzer  # noqa: E402

DATA = ROOT / "tests" / "text" / "data"
EVAL_DATA = ROOT.parent / "shared" / "eval-data"
LABELS = ("negative", "neutral", "positive")
_ANALYZERS = {"en": EnglishAnalyzer(), "fr": FrenchAnalyzer()}


def raw_polarity(text: str, language: str) -> float:
    """Raw TextBlob: the Pattern analyzer of the (known) language, through blob.sentiment."""
    return TextBlob(text, analyzer=_ANALYZERS[language]).sentiment[0]


def load_rows(split: str) -> list[dict[str, str]]:
    """Rows of tests/text/data/<split>.tsv (comment lines skipped)."""
    with open(DATA / f"{split}.tsv", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(scores) / len(scores)


def pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def evaluate_feedback(rows: list[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Per-method metrics on customer-feedback rows of one language."""
    gold = [r["label"] for r in rows]
    raw = [label_for(raw_polarity(r["text"], r["language"])) for r in rows]
    results = [analyze(r["text"]) for r in rows]
    ours = [a.label for a in results]
    tp = fp = fn = 0
    for r, a in zip(rows, results, strict=True):
        expected = {t for t in r["themes"].split(",") if t}
        found = set(a.themes)
        tp, fp, fn = (
            tp + len(found & expected),
            fp + len(found - expected),
            fn + len(expected - found),
        )
    with_emotion = [
        (r["emotion"], a.emotion) for r, a in zip(rows, results, strict=True) if r["emotion"]
    ]
    return {
        "raw TextBlob": {
            "accuracy": sum(g == p for g, p in zip(gold, raw, strict=True)) / len(rows),
            "macro_f1": macro_f1(gold, raw),
        },
        "analyze": {
            "accuracy": sum(g == p for g, p in zip(gold, ours, strict=True)) / len(rows),
            "macro_f1": macro_f1(gold, ours),
            "theme_precision": tp / (tp + fp) if tp + fp else 0.0,
            "theme_recall": tp / (tp + fn) if tp + fn else 0.0,
            "emotion_accuracy": sum(g == p for g, p in with_emotion) / max(1, len(with_emotion)),
            "language_accuracy": sum(
                a.language == r["language"] for r, a in zip(rows, results, strict=True)
            )
            / len(rows),
        },
    }


def print_feedback(split: str) -> None:
    rows = load_rows(split)
    print(f"\n== Customer feedback, {split} split (tests/text/data/{split}.tsv) ==")
    header = f"{'lang':4} {'n':>4} {'method':13} {'acc':>6} {'macroF1':>8} {'themeP':>7} "
    print(header + f"{'themeR':>7} {'emoAcc':>7} {'langAcc':>8}")
    for language in ("en", "fr"):
        subset = [r for r in rows if r["language"] == language]
        for method, m in evaluate_feedback(subset).items():
            cells = [f"{m[k]:.3f}" if k in m else "-" for k in ("theme_precision", "theme_recall")]
            cells += [f"{m[k]:.3f}" if k in m else "-" for k in ("emotion_accuracy",)]
            lang = f"{m['language_accuracy']:.3f}" if "language_accuracy" in m else "-"
            print(
                f"{language:4} {len(subset):>4} {method:13} {m['accuracy']:>6.3f} "
                f"{m['macro_f1']:>8.3f} {cells[0]:>7} {cells[1]:>7} {cells[2]:>7} {lang:>8}"
            )


def print_eval_data() -> None:
    print("\n== Public human-labelled English data (VADER, Hutto & Gilbert 2014) ==")
    if not EVAL_DATA.is_dir():
        print(f"skipped: {EVAL_DATA} not found")
        return
    print("3-class gold: human mean <= -0.5 negative, >= 0.5 positive, else neutral")
    print(f"{'file':34} {'n':>5} {'method':13} {'pearson_r':>9} {'acc3':>6} {'macroF1':>8}")
    for path in sorted(EVAL_DATA.glob("*.tsv")):
        texts, means = [], []
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t", 2)
                if len(parts) == 3:
                    means.append(float(parts[1]))
                    texts.append(parts[2])
        gold = ["negative" if m <= -0.5 else "positive" if m >= 0.5 else "neutral" for m in means]
        for method, fn in (
            ("raw TextBlob", lambda t: raw_polarity(t, "en")),
            ("analyze", lambda t: analyze(t, language="en").polarity),
        ):
            pol = [fn(t) for t in texts]
            pred = [label_for(p) for p in pol]
            acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)
            print(
                f"{path.name:34} {len(texts):>5} {method:13} {pearson(pol, means):>9.3f} "
                f"{acc:>6.3f} {macro_f1(gold, pred):>8.3f}"
            )


def print_errors(split: str) -> None:
    for r in load_rows(split):
        a = analyze(r["text"])
        expected = {t for t in r["themes"].split(",") if t}
        if (
            a.label != r["label"]
            or set(a.themes) != expected
            or (r["emotion"] and a.emotion != r["emotion"])
        ):
            print(
                f"{r['language']} gold={r['label']:8} got={a.label:8} {a.polarity:+.2f} "
                f"themes={sorted(expected)}->{sorted(a.themes)} "
                f"emo={r['emotion'] or '-'}->{a.emotion or '-'} | {r['text']}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=("dev",), help="list the mistakes on a split")
    args = parser.parse_args()
    if args.errors:
        print_errors(args.errors)
        return 0
    start = time.perf_counter()
    for split in ("dev", "holdout"):
        print_feedback(split)
    print_eval_data()
    print(f"\n({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
