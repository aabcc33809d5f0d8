"""The pain-point codebook: every default key matches in both languages; custom themes merge."""

import pytest

from feedback.text import Codebook, Theme, analyze

DESIGN_KEYS = [
    "late_delivery",
    "damaged_package",
    "wrong_item",
    "missing_item",
    "lost_parcel",
    "checkout_error",
    "payment_declined",
    "hidden_fees",
    "high_price",
    "out_of_stock",
    "slow_website",
    "confusing_navigation",
    "unreachable_support",
    "long_wait_time",
    "rude_staff",
    "unhelpful_chatbot",
    "unresolved_issue",
    "refund_delay",
    "difficult_return",
    "poor_quality",
    "product_defect",
    "poor_packaging",
    "missing_information",
    "spam_emails",
    "intrusive_ads",
    "misleading_ad",
    "fake_reviews",
    "app_crash",
    "login_problem",
    "billing_error",
    "subscription_cancellation",
    "broken_promo_code",
    "no_order_tracking",
    "long_onboarding",
    "loyalty_points_issue",
]

EXAMPLES = {
    "late_delivery": ("My parcel was delivered a week late.", "Livraison en retard de 5 jours."),
    "damaged_package": ("The box arrived completely crushed.", "Le colis est arrivé abîmé."),
    "wrong_item": ("I received the wrong size.", "J'ai reçu la mauvaise couleur."),
    "missing_item": ("The charger was missing from the box.", "Il manque un article."),
    "lost_parcel": ("The courier lost my parcel.", "Mon colis a été perdu."),
    "checkout_error": ("Error at checkout, twice.", "Impossible de valider ma commande."),
    "payment_declined": ("My card was declined.", "Paiement refusé sans raison."),
    "hidden_fees": ("Hidden fees at the end!", "Des frais cachés partout."),
    "high_price": ("Far too expensive.", "Beaucoup trop cher."),
    "out_of_stock": ("Always out of stock.", "Encore en rupture de stock."),
    "slow_website": ("The website is so slow.", "Le site est très lent."),
    "confusing_navigation": ("I can't find anything, the menu is a maze.", "On ne trouve rien."),
    "unreachable_support": ("No one answers the phone.", "Service client injoignable."),
    "long_wait_time": ("I waited 40 minutes on hold.", "45 minutes d'attente au téléphone."),
    "rude_staff": ("The cashier was rude.", "Vendeuse très désagréable."),
    "unhelpful_chatbot": ("The chatbot is useless.", "Le chatbot ne comprend rien."),
    "unresolved_issue": ("My problem is still not solved.", "Problème toujours pas résolu."),
    "refund_delay": ("Still waiting for my refund.", "J'attends mon remboursement."),
    "difficult_return": ("Returning it is a nightmare.", "Le retour est compliqué."),
    "poor_quality": ("Poor quality fabric.", "Qualité médiocre."),
    "product_defect": ("It stopped working after a week.", "L'appareil ne fonctionne plus."),
    "poor_packaging": ("Way too much packaging.", "Emballage insuffisant."),
    "missing_information": ("No information about the size.", "Aucune information sur la taille."),
    "spam_emails": ("Too many emails.", "Trop de mails publicitaires."),
    "intrusive_ads": ("Your ads are everywhere.", "Vos pubs sont partout."),
    "misleading_ad": ("Misleading advertising.", "Publicité mensongère."),
    "fake_reviews": ("The reviews are fake.", "Faux avis partout."),
    "app_crash": ("The app crashes constantly.", "L'appli plante tout le temps."),
    "login_problem": ("I can't log in.", "Impossible de me connecter."),
    "billing_error": ("I was charged twice.", "J'ai été débité deux fois."),
    "subscription_cancellation": (
        "Impossible to cancel my subscription.",
        "Impossible de résilier mon abonnement.",
    ),
    "broken_promo_code": ("The promo code doesn't work.", "Le code promo ne marche pas."),
    "no_order_tracking": ("No tracking number.", "Pas de numéro de suivi."),
    "long_onboarding": ("Creating an account took forever.", "Inscription beaucoup trop longue."),
    "loyalty_points_issue": (
        "My loyalty points disappeared.",
        "Mes points de fidélité ont disparu.",
    ),
}


def test_default_codebook_has_exactly_the_design_keys_with_labels_and_descriptions():
    book = Codebook.default()
    assert book.keys == DESIGN_KEYS
    for theme in book:
        assert theme.label["en"] and theme.label["fr"] and theme.description
        assert theme.patterns["en"] and theme.patterns["fr"]


@pytest.mark.parametrize("key", DESIGN_KEYS)
def test_each_theme_matches_an_english_and_a_french_example(key):
    english, french = EXAMPLES[key]
    assert key in analyze(english, language="en").themes
    assert key in analyze(french, language="fr").themes


def test_matching_ignores_accents_and_case():
    assert "damaged_package" in Codebook.default().match("COLIS ARRIVE ABIME")


def test_a_text_can_carry_several_themes():
    themes = analyze("Colis jamais reçu et le SAV est injoignable.").themes
    assert {"lost_parcel", "unreachable_support"} <= set(themes)


def test_negated_theme_does_not_count():
    assert analyze("No delay this time, well done.").themes == []
    assert analyze("Pas de retard cette fois.").themes == []


def test_custom_theme_merges_over_default_and_reaches_analyze():
    custom = Codebook.default().merged(
        [{"key": "customs_fees", "label": "Customs fees", "keywords": ["douane*", "customs"]}]
    )
    assert "customs_fees" in custom and len(custom) == len(DESIGN_KEYS) + 1
    assert analyze("Frais de douane à payer à la livraison !", codebook=custom).themes == [
        "customs_fees"
    ]
    assert "customs_fees" not in analyze("Frais de douane à payer !").themes


def test_custom_patterns_for_a_known_key_are_added_not_replaced():
    book = Codebook.default().merged({"late_delivery": {"keywords": {"fr": ["aux calendes"]}}})
    assert "late_delivery" in analyze("Livré aux calendes grecques", codebook=book).themes
    assert "late_delivery" in analyze("Delivery was late", codebook=book).themes


def test_keywords_are_literal_not_regex():
    theme = Theme.from_dict({"key": "dots", "keywords": ["a.b"]})
    book = Codebook([theme])
    assert book.match("a.b") == ["dots"]
    assert book.match("axb") == []


def test_invalid_custom_theme_is_rejected_clearly():
    with pytest.raises(ValueError):
        Theme.from_dict({"key": "Bad Key", "keywords": ["x"]})
    with pytest.raises(ValueError):
        Theme.from_dict({"key": "bad_regex", "patterns": ["(unclosed"]})
