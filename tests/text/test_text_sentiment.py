"""Sentiment rules on customer feedback: negation, modifiers, contrast, CX words, emoji."""

import pytest

from feedback.text import ANALYZER_VERSION, EMOTIONS, Analysis, analyze, label_for


def test_contract_example():
    a = analyze("La livraison a pris 12 jours, inadmissible.", language=None)
    assert isinstance(a, Analysis)
    assert a.language == "fr"
    assert a.label == "negative" and -1 <= a.polarity <= -0.1
    assert 0 <= a.subjectivity <= 1
    assert set(a.emotions) == set(EMOTIONS)
    assert a.themes == ["late_delivery"]
    assert a.reason is None
    assert a.to_dict()["analyzer_version"] == ANALYZER_VERSION


def test_result_is_frozen():
    with pytest.raises(AttributeError):
        analyze("ok").label = "positive"  # type: ignore[misc]


def test_documented_label_thresholds():
    assert label_for(-0.1) == "negative"
    assert label_for(-0.09) == "neutral"
    assert label_for(0.14) == "neutral"
    assert label_for(0.15) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "not happy at all",
        "I'm not satisfied with the answer.",
        "pas content du tout",
        "jamais livré",
        "Le colis n'est pas arrivé.",
        "Je ne recommande pas.",
        "Nobody helped me.",
    ],
)
def test_negation_turns_positive_or_expected_events_negative(text):
    assert analyze(text).label == "negative"


@pytest.mark.parametrize("text", ["Not bad at all.", "pas mal du tout", "No problem at all."])
def test_negated_negative_reads_positive(text):
    assert analyze(text).label == "positive"


def test_at_all_strengthens_the_negation():
    assert analyze("not happy at all").polarity < analyze("not happy").polarity


def test_intensifiers_and_diminishers():
    base = analyze("The delivery was good.", language="en").polarity
    assert analyze("The delivery was very good.", language="en").polarity > base
    assert analyze("The delivery was slightly good.", language="en").polarity < base
    assert analyze("très déçu", language="fr").polarity < analyze("déçu", language="fr").polarity


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Lovely product but the courier lost it.", "negative"),
        ("Produit magnifique mais le transporteur l'a perdu.", "negative"),
        ("The website is confusing, however the support team was brilliant.", "positive"),
        ("Un peu cher, cependant la qualité est exceptionnelle.", "positive"),
    ],
)
def test_the_clause_after_a_contrast_weighs_more(text, label):
    assert analyze(text).label == label


@pytest.mark.parametrize(
    "text",
    [
        "Delivery took ages.",
        "No one answers.",
        "Never delivered.",
        "Still waiting for my refund.",
        "Sans nouvelles du SAV.",
        "Arrivé trop tard.",
        "Toujours pas reçu mon colis.",
    ],
)
def test_customer_experience_vocabulary_is_negative(text):
    assert analyze(text).label == "negative"


@pytest.mark.parametrize(
    ("text", "label"),
    [("tres decu", "negative"), ("nul", "negative"), ("grave bien", "positive")],
)
def test_informal_french_without_accents(text, label):
    assert analyze(text, language="fr").label == label


@pytest.mark.parametrize(
    ("text", "label", "emotion"),
    [
        ("😡", "negative", "anger"),
        ("👍", "positive", "joy"),
        ("❤️", "positive", "joy"),
        ("😢", "negative", "sadness"),
        ("Thanks 🙏", "positive", None),
    ],
)
def test_emoji_carry_sentiment_and_emotion(text, label, emotion):
    a = analyze(text)
    assert a.label == label
    if emotion:
        assert a.emotion == emotion


def test_sarcastic_praise_next_to_a_complaint_reads_negative():
    assert analyze("Oh great, my order is late again.").label == "negative"
    assert analyze("Super, encore un article cassé. Bravo.").label == "negative"


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("I am furious", "anger"),
        ("Je suis vraiment inquiète", "fear"),
        ("Ravie de mon achat !", "joy"),
        ("J'ai hâte de recevoir ma commande", "anticipation"),
        ("J'ai confiance en cette marque", "trust"),
        ("Très surpris par la rapidité", "surprise"),
        ("C'est scandaleux", "anger"),
        ("Disgusting smell", "disgust"),
        ("So disappointed", "sadness"),
    ],
)
def test_emotions_from_the_lexicon(text, emotion):
    assert analyze(text).emotion == emotion


def test_negated_emotion_goes_to_its_opposite():
    a = analyze("I am not happy", language="en")
    assert a.emotions["joy"] == 0 and a.emotions["sadness"] > 0


def test_emotions_dict_has_exactly_the_eight_plutchik_keys():
    assert list(analyze("whatever").emotions) == list(EMOTIONS)


@pytest.mark.parametrize("text", ["Dans la moyenne.", "Prix dans la moyenne, rien à signaler."])
def test_average_is_neutral_not_a_complaint(text):
    assert analyze(text, language="fr").label == "neutral"


@pytest.mark.parametrize(
    "text",
    ["Application inutilisable, elle se ferme toute seule.", "The app is unusable on my phone."],
)
def test_an_unusable_app_is_an_app_crash(text):
    assert "app_crash" in analyze(text).themes
