"""Alert rules' matching, on plain data (surveys.cases.rules has no database)."""

from __future__ import annotations

from types import SimpleNamespace

from surveys.cases.rules import AnswerFacts, RuleSpec, defaults_for, matching_answer, spec_of

NPS_0_6 = RuleSpec("score", "nps", 0, 6)


def score(key, number, answer_id=1):
    return AnswerFacts(answer_id=answer_id, key=key, number=number)


def text(words, label=None, polarity=None, themes=(), key="why", answer_id=2):
    return AnswerFacts(
        answer_id=answer_id,
        key=key,
        text=words,
        label=label,
        polarity=polarity,
        themes=frozenset(themes),
    )


def test_a_score_rule_takes_both_ends_of_its_range_and_nothing_outside():
    assert matching_answer(NPS_0_6, [score("nps", 0)]) is not None
    assert matching_answer(NPS_0_6, [score("nps", 6)]) is not None
    assert matching_answer(NPS_0_6, [score("nps", 7)]) is None
    assert matching_answer(RuleSpec("score", "ces", 1, 3), [score("ces", 4)]) is None
    assert matching_answer(RuleSpec("score", "csat", 1, 2), [score("csat", 1)]) is not None


def test_a_score_rule_reads_its_own_question_only_and_skips_unanswered_ones():
    assert matching_answer(NPS_0_6, [score("csat", 2)]) is None
    assert matching_answer(NPS_0_6, [score("nps", None)]) is None
    assert matching_answer(NPS_0_6, []) is None
    found = matching_answer(NPS_0_6, [score("csat", 1, 1), score("nps", 3, 7)])
    assert found.answer_id == 7


def test_a_text_rule_needs_a_scored_negative_text_with_one_of_its_themes():
    rule = RuleSpec("negative_text", theme_keys=("late_delivery", "lost_parcel"))
    late = text("Still waiting", "negative", -0.6, ["late_delivery"])
    assert matching_answer(rule, [late]) is late
    assert matching_answer(rule, [text("Still waiting", "negative", -0.6, ["rude_staff"])]) is None
    assert matching_answer(rule, [text("Great", "positive", 0.8, ["late_delivery"])]) is None
    # Not scored yet: no match now (scoring runs the rules again).
    assert matching_answer(rule, [text("Still waiting", None, None, ["late_delivery"])]) is None
    assert matching_answer(rule, [text("   ", "negative", -0.6, ["late_delivery"])]) is None


def test_a_text_rule_without_themes_takes_any_negative_text_and_may_use_a_threshold():
    rule = RuleSpec("negative_text")
    assert matching_answer(rule, [text("Awful", "negative", -0.9)]) is not None
    assert matching_answer(rule, [text("Meh", "neutral", -0.04)]) is None
    strict = RuleSpec("negative_text", polarity_below=-0.02)
    assert matching_answer(strict, [text("Meh", "neutral", -0.04)]) is not None
    assert matching_answer(strict, [text("Fine", "neutral", 0.0)]) is None


def test_a_text_rule_may_name_its_question():
    rule = RuleSpec("negative_text", question_key="fix")
    assert matching_answer(rule, [text("Awful", "negative", -0.9, key="why")]) is None
    assert matching_answer(rule, [text("Awful", "negative", -0.9, key="fix")]) is not None


def test_spec_of_reads_a_rule_row_and_defaults_fit_the_questions_by_type():
    row = SimpleNamespace(
        kind="score",
        question_key="nps",
        min_score=0,
        max_score=6,
        polarity_below=None,
        theme_keys=None,
    )
    assert spec_of(row) == NPS_0_6
    questions = [
        SimpleNamespace(type="csat", key="csat"),
        SimpleNamespace(type="long_text", key="why"),
        SimpleNamespace(type="nps", key="recommend"),
    ]
    assert defaults_for(questions) == [("nps", "recommend", 0, 6), ("csat", "csat", 1, 2)]
