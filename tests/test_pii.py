"""Personal data in free text: what `feedback.pii.redact` replaces, what it keeps, and its
properties (idempotent, only the personal data replaced, never longer than needed)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.pii import KINDS, PLACEHOLDERS, luhn, redact, redact_text, valid_iban

# (text, what it becomes): every personal datum replaced, the words around it kept.
POSITIVES = [
    # emails
    ("Écrivez-moi à jean.dupont@gmail.com merci", "Écrivez-moi à [email] merci"),
    ("contact : Marie-Claire+boutique@orange.fr.", "contact : [email]."),
    ("mail me at john_smith42@mail.example.co.uk, thanks", "mail me at [email], thanks"),
    ("(chloé.lefèvre@laposte.net)", "([email])"),
    ('=HYPERLINK("mailto:jean@exemple.fr")', '=HYPERLINK("mailto:[email]")'),
    ("a@b.co", "[email]"),
    # French phone numbers
    ("Appelez-moi au 06 12 34 56 78 svp", "Appelez-moi au [phone] svp"),
    ("mon portable : 06.12.34.56.78", "mon portable : [phone]"),
    ("fixe 01-23-45-67-89 le matin", "fixe [phone] le matin"),
    ("0612345678", "[phone]"),
    ("+33 6 12 34 56 78", "[phone]"),
    ("+33612345678", "[phone]"),
    ("0033612345678 ou 0033 6 12 34 56 78", "[phone] ou [phone]"),
    ("+33 (0)6 12 34 56 78", "[phone]"),
    ("(rappelez-moi au +33 6 12 34 56 78)", "(rappelez-moi au [phone])"),
    ("Tél. 09 70 80 90 00, merci de rappeler", "Tél. [phone], merci de rappeler"),
    # international and other national phone numbers
    ("Call me on +44 20 7946 0958 tomorrow", "Call me on [phone] tomorrow"),
    ("my cell is +1 (415) 555-2671.", "my cell is [phone]."),
    ("+1-415-555-2671", "[phone]"),
    ("+49 30 12345678", "[phone]"),
    ("(415) 555-2671 or 415-555-2671", "[phone] or [phone]"),
    ("020 7946 0958", "[phone]"),
    ("GSM 0470 12 34 56", "GSM [phone]"),
    ("Natel 079 123 45 67", "Natel [phone]"),
    ("0044 20 7946 0958", "[phone]"),
    # IBANs
    ("Remboursez sur FR76 3000 6000 0112 3456 7890 189 merci", "Remboursez sur [iban] merci"),
    ("IBAN : FR7630006000011234567890189.", "IBAN : [iban]."),
    ("iban fr76 3000 6000 0112 3456 7890 189", "iban [iban]"),
    ("RIB FR76 30006 00001 12345678901 89", "RIB [iban]"),
    ("FR14 2004 1010 0505 0001 3M02 606", "[iban]"),
    ("refund to GB82 WEST 1234 5698 7654 32 please", "refund to [iban] please"),
    ("DE89 3704 0044 0532 0130 00", "[iban]"),
    ("BE68539007547034", "[iban]"),
    ("NL91ABNA0417164300", "[iban]"),
    ("IT60 X054 2811 1010 0000 0123 456", "[iban]"),
    # payment cards
    ("carte 4111 1111 1111 1111 débitée deux fois", "carte [card] débitée deux fois"),
    ("card 5555-5555-5555-4444 charged twice", "card [card] charged twice"),
    ("4012888888881881", "[card]"),
    ("Amex 3782 822463 10005", "Amex [card]"),
    ("Diners 3056 930902 5904", "Diners [card]"),
    ("2223 0031 2200 3222", "[card]"),
    ("6011 1111 1111 1117.", "[card]."),
    ("4222222222222", "[card]"),
    # several at once
    (
        "Je suis joignable au 06 12 34 56 78 ou par mail (jean@exemple.fr) ; "
        "remboursez FR7630006000011234567890189",
        "Je suis joignable au [phone] ou par mail ([email]) ; remboursez [iban]",
    ),
    (
        "Refund card 4111 1111 1111 1111, call +44 20 7946 0958 or write to a.b@c.io",
        "Refund card [card], call [phone] or write to [email]",
    ),
]

# Numbers customers write that are no personal data: kept as they are.
NEGATIVES = [
    "Commande #A-981 reçue abîmée",
    "Ma commande 123456 n'est jamais arrivée",
    "Order 4500012345 arrived late",
    "Livré le 12/03/2026 au lieu du 05/03/2026",
    "Delivered on 2026-03-12T14:30:00, two days late",
    "le 03.12.2026 à 14 30",
    "Prix : 1 299,99 € au lieu de 1 199,99 €",
    "It cost $1,299.99 and 12 000 € for the pro",
    "Livraison prévue entre 14h30 et 18h, arrivée à 21:45",
    "75011 Paris, 69003 Lyon",
    "-20 % annoncés, 15% réels, +15 % de frais",
    "+1 299,99 € de plus que prévu",
    "Il a fallu 3 semaines et 2 appels au 3970",
    "version 10.0.19045.3570 de l'appli, v2.3.1",
    "SIRET 732 829 320 00074",
    "N° TVA FR06123456789",
    "commande 0012345678 et 00123456789",
    "Colis 6A12345678901, suivi 1Z999AA10123456784",
    "ref 1234567890123456789012",
    "EAN 3017620422003",
    "4970 1012 3456 7890 (not a card: the Luhn check fails)",
    "FR76 3000 6000 0112 3456 7890 188 (a digit wrong: the mod-97 check fails)",
    "FR76 3000 6000 0112 3456 7890 1",
    "AB12 CDEF GHIJ KLMN OP",
    "de12 mars nous avons attendu",
    "Note 9/10, NPS 10, 5 étoiles sur 5",
    "I waited 45 minutes on hold, 3 times",
    "Le code promo NOEL2026 ne marche pas",
    "Tracking 9400 1000 0000 0000 0000 00",
    "user@ is not an address, nor is @home",
    "0,99 € la livraison, 3 x 33,33 €",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_personal_data_is_replaced_and_the_words_around_it_kept(text, expected):
    redacted, counts = redact(text)
    assert redacted == expected
    assert sum(counts.values()) == sum(redacted.count(p) for p in PLACEHOLDERS.values())


@pytest.mark.parametrize("text", NEGATIVES)
def test_numbers_that_are_no_personal_data_are_kept(text):
    assert redact(text) == (text, dict.fromkeys(KINDS, 0))


def test_counts_say_how_many_of_each_kind():
    text = "a@b.fr, c@d.fr, 06 12 34 56 78, FR7630006000011234567890189, 4111111111111111"
    redacted, counts = redact(text)
    assert redacted == "[email], [email], [phone], [iban], [card]"
    assert counts == {"email": 2, "phone": 1, "iban": 1, "card": 1}


def test_placeholders_are_the_same_in_both_languages():
    assert redact("écrivez à a@b.fr")[0] == "écrivez à [email]"
    assert redact("write to a@b.fr")[0] == "write to [email]"


def test_empty_and_missing_texts_pass():
    assert redact("") == ("", dict.fromkeys(KINDS, 0))
    assert redact_text(None) is None and redact_text("") == ""
    assert redact_text("06 12 34 56 78") == "[phone]"


def test_the_checks_themselves():
    assert valid_iban("FR7630006000011234567890189") and valid_iban("fr7630006000011234567890189")
    assert not valid_iban("FR7630006000011234567890188") and not valid_iban("FR76 3000")
    assert luhn("4111111111111111") and not luhn("4111111111111112")


def test_a_long_text_is_read_quickly():
    import time

    text = ("Très déçu, 3 semaines d'attente, appelez le 06 12 34 56 78. " * 80)[:5000]
    text += "9" * 5000 + "a" * 5000 + "+1" + "2" * 3000 + "x@" * 2000
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1.0


# --- properties -------------------------------------------------------------------------

# Text with no digit and no `@`: nothing in it can be personal data of these kinds.
plain_text = st.text(
    st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="@"), max_size=80
)
any_text = st.text(
    st.sampled_from(list("0123456789 +-.()@/,:#€%abcdefFRDEGBxyz\néà")), max_size=120
)
PERSONAL = st.sampled_from(
    [
        ("jean.dupont@gmail.com", "[email]"),
        ("a@b.co", "[email]"),
        ("06 12 34 56 78", "[phone]"),
        ("+33 6 12 34 56 78", "[phone]"),
        ("+44 20 7946 0958", "[phone]"),
        ("+1 (415) 555-2671", "[phone]"),
        ("FR76 3000 6000 0112 3456 7890 189", "[iban]"),
        ("GB82WEST12345698765432", "[iban]"),
        ("4111 1111 1111 1111", "[card]"),
        ("3782 822463 10005", "[card]"),
    ]
)
fast = settings(max_examples=300, deadline=None)


@fast
@given(plain_text)
def test_text_without_digits_or_at_is_unchanged(text):
    assert redact(text) == (text, dict.fromkeys(KINDS, 0))


@fast
@given(st.one_of(any_text, plain_text))
def test_redacting_twice_changes_nothing_more(text):
    once, _ = redact(text)
    assert redact(once) == (once, dict.fromkeys(KINDS, 0))


@fast
@given(any_text)
def test_never_longer_than_needed(text):
    # Every placeholder is at most as long as what it replaces, except an email of six
    # characters (a@b.co), one character shorter than [email].
    redacted, counts = redact(text)
    assert len(redacted) <= len(text) + counts["email"]
    assert sum(counts.values()) == sum(redacted.count(p) for p in PLACEHOLDERS.values()) - sum(
        text.count(p) for p in PLACEHOLDERS.values()
    )


def _words(text: str) -> str:
    # Words around a datum end and start with a space: the datum's boundaries are clear.
    return re.sub(r"\s+", " ", text).strip()


@fast
@given(plain_text, PERSONAL, plain_text)
def test_only_the_personal_data_is_replaced(before, personal, after):
    value, placeholder = personal
    before, after = _words(before), _words(after)
    text = f"{before} {value} {after}"
    redacted, counts = redact(text)
    assert redacted == f"{before} {placeholder} {after}"
    assert sum(counts.values()) == 1
