"""Offline language detection on short answers."""

import pytest

from feedback.text import analyze, detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("pas recu mon colis", "fr"),
        ("tres decu", "fr"),
        ("Livraison rapide, merci", "fr"),
        ("Je l'adore", "fr"),
        ("still waiting for my parcel", "en"),
        ("Love it", "en"),
        ("The app keeps crashing", "en"),
        ("Fast delivery, thanks", "en"),
    ],
)
def test_short_texts(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "😡😡", "12345", "???"])
def test_nothing_to_detect_is_und(text):
    assert detect_language(text) == "und"


def test_given_language_skips_detection():
    assert analyze("pas recu mon colis", language="en").language == "en"
    assert analyze("hello", language="xx").language == "und"


def test_mixed_french_and_english_gets_one_language_and_both_themes():
    a = analyze("Le colis est arrivé abîmé and customer service never replied.")
    assert a.language in ("fr", "en")
    assert {"damaged_package", "unreachable_support"} <= set(a.themes)
