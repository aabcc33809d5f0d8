"""Bad input never raises: a neutral result with a reason where nothing can be said."""

from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.text import EMOTIONS, MAX_CHARS, analyze
from feedback.text.cleaning import clean_text


def test_empty_and_whitespace():
    for value in (None, "", "   \n\t "):
        a = analyze(value)
        assert (a.label, a.polarity, a.reason, a.themes) == ("neutral", 0.0, "empty", [])


def test_numbers_only_has_no_words():
    a = analyze("123 456,78")
    assert a.label == "neutral" and a.reason == "no_words"


def test_emoji_only_is_scored_without_a_language():
    a = analyze("😡😡😡")
    assert a.language == "und" and a.label == "negative"


def test_html_is_stripped():
    a = analyze("<p>Colis <b>jamais</b> reçu</p><script>alert('great')</script>")
    assert a.label == "negative" and "lost_parcel" in a.themes
    assert clean_text("<i>a</i> &amp; b") == "a & b"


def test_invalid_surrogates_are_dropped():
    a = analyze("Terrible \ud800 service \udfff")
    assert a.label == "negative"


def test_huge_text_analyses_a_prefix_quickly():
    text = "The delivery was late. " * 5000  # > 100,000 characters
    assert len(clean_text(text)) == MAX_CHARS
    assert analyze(text).label == "negative"


def test_non_text_values():
    assert analyze(b"tr\xc3\xa8s d\xc3\xa9\xc3\xa7u \xff").label == "negative"
    assert analyze(42).reason == "no_words"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(max_size=400), st.binary(max_size=200), st.integers()))
def test_never_raises_and_always_in_range(value):
    a = analyze(value)
    assert -1.0 <= a.polarity <= 1.0
    assert 0.0 <= a.subjectivity <= 1.0
    assert a.label in ("negative", "neutral", "positive")
    assert a.language in ("en", "fr", "und")
    assert list(a.emotions) == list(EMOTIONS) and all(v >= 0 for v in a.emotions.values())
    assert a.emotion is None or a.emotion in EMOTIONS
    assert a.reason != "error"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "pas",
                "not",
                "but",
                "mais",
                "très",
                "!",
                "😡",
                "good",
                "nul",
                "n'",
                "du tout",
                "at all",
                ",",
                "great",
                "late",
            ]
        ),
        max_size=30,
    )
)
def test_rule_words_in_any_order_stay_in_range(words):
    a = analyze(" ".join(words))
    assert -1.0 <= a.polarity <= 1.0 and a.reason != "error"
