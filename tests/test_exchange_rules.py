"""Pages and follow-up rules travel in our JSON and in SurveyJS's: `page` and `show_if` in
ours; SurveyJS pages and `visibleIf` expressions comparing one earlier answer with a constant,
the others reported with the question kept and always shown."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest
from builders import NPS_HIGH, NPS_LOW, a_draft_questionnaire, a_journey, a_questionnaire_in_pages
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.design_service import add_question
from surveys.exchange import (
    FORMAT,
    ExchangeError,
    export_questionnaire,
    from_surveyjs,
    import_questionnaire,
    read_questionnaire,
    to_surveyjs,
)
from surveys.question_rules import MAX_PAGE, check_rule


def as_json(document: dict) -> dict:
    return json.loads(json.dumps(document))


def a_questionnaire_with_every_kind_of_rule(session):
    """Two pages, follow-ups on a score (from the low end, to the high end, in the middle,
    one score), on a single choice, a multiple choice and an emotion."""
    questionnaire = a_questionnaire_in_pages(session)
    for spec in [
        {"key": "plan", "type": "single_choice", "prompt": {"en": "Plan?", "fr": "Formule ?"},
         "page": 2, "options": [{"value": v, "label": {"en": v.title(), "fr": v}}
                                for v in ("free", "pro", "team's")]},
        {"key": "extras", "type": "multi_choice", "prompt": {"en": "Extras?"}, "page": 2,
         "options": [{"value": v, "label": {"en": v, "fr": v}} for v in ("case", "cable")]},
        {"key": "felt", "type": "emotion", "prompt": {"en": "Felt?"}, "page": 2},
        {"key": "mid", "type": "short_text", "prompt": {"en": "Mid?"}, "page": 3,
         "show_if": {"question": "csat", "op": "between", "min": 2, "max": 4}},
        {"key": "five", "type": "short_text", "prompt": {"en": "Five?"}, "page": 3,
         "show_if": {"question": "csat", "op": "between", "min": 5, "max": 5}},
        {"key": "pro", "type": "short_text", "prompt": {"en": "Pro?"}, "page": 3,
         "show_if": {"question": "plan", "op": "in", "values": ["team's", "pro"]}},
        {"key": "cable", "type": "short_text", "prompt": {"en": "Cable?"}, "page": 3,
         "show_if": {"question": "extras", "op": "in", "values": ["cable"]}},
        {"key": "upset", "type": "long_text", "prompt": {"en": "Upset?"}, "page": 3,
         "show_if": {"question": "felt", "op": "in", "values": ["anger", "sadness"]}},
    ]:  # fmt: skip
        add_question(session, questionnaire, spec)
    session.commit()
    return questionnaire


def rules_and_pages(questions) -> list[tuple]:
    return [(q.key, q.page, q.show_if) for q in questions]


# Our format


def test_pages_and_rules_come_back_equal_in_our_format(db_session):
    questionnaire = a_questionnaire_with_every_kind_of_rule(db_session)
    exported = as_json(export_questionnaire(questionnaire))
    by_key = {q["key"]: q for q in exported["questions"]}
    assert (by_key["fix"]["page"], by_key["fix"]["show_if"]) == (1, NPS_LOW)
    assert by_key["pro"]["show_if"] == {"question": "plan", "op": "in", "values": ["pro", "team's"]}
    assert (by_key["nps"]["show_if"], by_key["upset"]["page"]) == (None, 3)
    other = a_journey(db_session, name=questionnaire.journey.name)  # another install's
    result = import_questionnaire(db_session, other, exported)
    db_session.commit()
    assert result.report == []
    assert export_questionnaire(result.questionnaire) == exported
    assert rules_and_pages(result.questionnaire.current_version.questions) == rules_and_pages(
        questionnaire.current_version.questions
    )


def test_a_version_1_file_imports_on_page_1_without_rules(db_session):
    exported = as_json(export_questionnaire(a_draft_questionnaire(db_session, "nps", "advocacy")))
    exported["version"] = 1
    for question in exported["questions"]:
        del question["page"], question["show_if"]
    exported["questions"] = [q for q in exported["questions"] if q["key"] not in ("fix", "quote")]
    spec = read_questionnaire(exported)
    assert [(q.key, q.page, q.show_if) for q in spec.questions] == [
        ("nps", 1, None),
        ("why", 1, None),
        ("emotion", 1, None),
    ]
    # Version 1 has no pages nor rules: a file saying so is refused, as any unknown field.
    exported["questions"][0]["page"] = 1
    with pytest.raises(ExchangeError, match="not a field of version 1") as raised:
        read_questionnaire(exported)
    assert "questions[0].page" in raised.value.fields


def a_file(*questions) -> dict:
    return {
        "format": FORMAT,
        "version": 2,
        "kind": "custom",
        "languages": ["en"],
        "stage": "retention",
        "questions": [
            {"key": "nps", "type": "nps", "prompt": {"en": "Recommend?"}},
            {"key": "plan", "type": "single_choice", "prompt": {"en": "Plan?"},
             "options": [{"value": "free", "label": {"en": "Free"}},
                         {"value": "pro", "label": {"en": "Pro"}}]},
            *questions,
        ],
    }  # fmt: skip


def follow_up(rule, **fields) -> dict:
    return {"key": "fix", "type": "long_text", "prompt": {"en": "Fix?"}, "show_if": rule, **fields}


@pytest.mark.parametrize(
    "question, field, words",
    [
        (follow_up({**NPS_LOW, "question": "later"}), "questions[2].show_if", "comes after"),
        (follow_up({**NPS_LOW, "question": "ghost"}), "questions[2].show_if", "no question"),
        (follow_up({**NPS_LOW, "question": "fix"}), "questions[2].show_if", "its own answer"),
        (follow_up({**NPS_LOW, "max": 11}), "questions[2].show_if", "from 0 to 10"),
        (follow_up({**NPS_LOW, "max": 6.5}), "questions[2].show_if.max", "whole number"),
        (follow_up({**NPS_LOW, "min": True}), "questions[2].show_if.min", "whole number"),
        (follow_up({"question": "plan", "op": "in", "values": ["gold"]}),
         "questions[2].show_if", "Tick one or more"),
        (follow_up({"question": "plan", "op": "in", "values": [3]}),
         "questions[2].show_if.values[0]", "should be text"),
        (follow_up({"question": "plan", "op": "in", "values": "pro"}),
         "questions[2].show_if.values", "should be a list"),
        (follow_up({"question": "nps", "op": "in", "values": ["6"]}),
         "questions[2].show_if", "is a score"),
        (follow_up({"question": "nps", "op": "below", "max": 6}), "questions[2].show_if.op",
         "“between” or “in”"),
        (follow_up({**NPS_LOW, "values": ["6"]}), "questions[2].show_if.values",
         "not a field"),
        (follow_up({**NPS_LOW, "question": 3}), "questions[2].show_if.question", "key"),
        (follow_up("{nps} <= 6"), "questions[2].show_if", "should be an object"),
        (follow_up(None, page=0), "questions[2].page", f"from 1 to {MAX_PAGE}"),
        (follow_up(None, page=MAX_PAGE + 1), "questions[2].page", f"from 1 to {MAX_PAGE}"),
        (follow_up(None, page="2"), "questions[2].page", "whole number"),
    ],
)  # fmt: skip
def test_a_bad_page_or_rule_in_our_file_is_refused_naming_the_field(question, field, words):
    document = a_file(question, {"key": "later", "type": "nps", "prompt": {"en": "Later?"}})
    with pytest.raises(ExchangeError) as raised:
        read_questionnaire(document)
    assert field in raised.value.fields, raised.value.fields
    assert words in str(raised.value)


def test_a_file_whose_pages_go_back_is_refused():
    document = a_file(
        {"key": "city", "type": "short_text", "prompt": {"en": "City?"}, "page": 3},
        {"key": "zip", "type": "short_text", "prompt": {"en": "Zip?"}, "page": 2},
    )
    with pytest.raises(ExchangeError, match="page by page") as raised:
        read_questionnaire(document)
    assert "questions[3].page" in raised.value.fields


def test_a_refused_rule_leaves_nothing_in_the_journey(db_session):
    journey = a_journey(db_session)
    with pytest.raises(ExchangeError):
        import_questionnaire(db_session, journey, a_file(follow_up({**NPS_LOW, "max": 12})))
    assert not db_session.new and not db_session.dirty


# SurveyJS in: one page per SurveyJS page, visibleIf on one earlier answer


RATING_0_10 = {"type": "rating", "name": "nps", "title": "Recommend?", "rateMin": 0, "rateMax": 10}
CSAT = {"type": "rating", "name": "csat", "title": "How satisfied are you?", "rateMax": 5}
PLAN = {"type": "radiogroup", "name": "plan", "choices": ["free", "pro", "team", 4]}
FEATURES = {"type": "checkbox", "name": "feat", "choices": ["x", "y", "z"]}
FELT = {"type": "radiogroup", "name": "felt",
        "choices": ["joy", "trust", "fear", "surprise", "sadness", "disgust", "anger",
                    "anticipation"]}  # fmt: skip
TEXT = {"type": "text", "name": "city"}


def with_condition(expression, *earlier) -> dict:
    follow = {"type": "comment", "name": "follow", "visibleIf": expression}
    return {"pages": [{"name": "p1", "elements": [*earlier, follow]}]}


def between(question, low, high) -> dict:
    return {"question": question, "op": "between", "min": low, "max": high}


def one_of(question, *values) -> dict:
    return {"question": question, "op": "in", "values": list(values)}


@pytest.mark.parametrize(
    "expression, rule",
    [
        ("{nps} <= 6", between("nps", 0, 6)),
        ("{nps} < 7", between("nps", 0, 6)),
        ("{nps} >= 9", between("nps", 9, 10)),
        ("{nps} > 8", between("nps", 9, 10)),
        ("{nps} = 10", between("nps", 10, 10)),
        ("{nps} == 0", between("nps", 0, 0)),
        ("{nps} >= 7 and {nps} <= 8", between("nps", 7, 8)),
        ("({nps} >= 7) && ({nps} < 9)", between("nps", 7, 8)),
        ("6 >= {nps}", between("nps", 0, 6)),
        ("{nps} <= 20", between("nps", 0, 10)),  # clamped to the scale
        ("{nps} >= -3 and {nps} <= 2", between("nps", 0, 2)),
        ("{nps} < 6.5", between("nps", 0, 6)),
        ("{nps} lessorequal 6", between("nps", 0, 6)),
        ("{nps} <= '6'", between("nps", 0, 6)),
        ("{csat} >= 1 and {csat} <= 2", between("csat", 1, 2)),
        ("{csat} <= 2", between("csat", 1, 2)),
        ("{plan} = 'pro'", one_of("plan", "pro")),
        ('{plan} = "pro"', one_of("plan", "pro")),
        ("{plan} = pro", one_of("plan", "pro")),
        ("{plan} = 4", one_of("plan", "4")),
        ("{plan} anyof ['team', 'pro']", one_of("plan", "pro", "team")),
        ("{plan} anyof ['pro', 'gold']", one_of("plan", "pro")),  # gold is never the answer
        ("{plan} = 'pro' or {plan} = 'team'", one_of("plan", "pro", "team")),
        ("{feat} contains 'x'", one_of("feat", "x")),
        ("{feat} anyof ['z', 'y']", one_of("feat", "y", "z")),
        ("{feat} allof ['y']", one_of("feat", "y")),
        ("{feat} contains 'x' or {feat} contains 'z'", one_of("feat", "x", "z")),
        ("{felt} anyof ['anger', 'sadness']", one_of("felt", "sadness", "anger")),
        ("{felt} = 'anger'", one_of("felt", "anger")),
    ],
)
def test_a_visible_if_on_one_earlier_answer_becomes_a_rule(expression, rule):
    spec, report = from_surveyjs(
        with_condition(expression, RATING_0_10, CSAT, PLAN, FEATURES, FELT)
    )
    follow = spec.questions[-1]
    assert follow.show_if == rule, report
    assert not [line for line in report if "visibleIf" in line]
    placed = [SimpleNamespace(**vars(q), position=i) for i, q in enumerate(spec.questions)]
    assert check_rule(follow.show_if, len(placed) - 1, placed) is None


@pytest.mark.parametrize(
    "expression, why",
    [
        ("{nps} <= 6 and {csat} <= 2", "several questions"),
        ("{nps} <= 6 or {plan} = 'pro'", "several questions"),
        ("{nps} != 5", "“not equal” has no equivalent"),
        ("{nps} <> 5", "“not equal” has no equivalent"),
        ("{nps} notempty", "“notempty” has no equivalent"),
        ("{nps} empty", "“empty” has no equivalent"),
        ("!({nps} > 6)", "“not” has no equivalent"),
        ("age({birthdate}) >= 18", "functions such as age()"),
        ("{nps} + 1 > 5", "not a comparison"),
        ("{nps} <= 2 or {nps} >= 9", "“or” between scores"),
        ("{nps} > 10", "no score from 0 to 10"),
        ("{nps} = 6.5", "no score from 0 to 10"),
        ("{nps} >= 7 and {nps} <= 3", "no score from 0 to 10"),
        ("{nps} anyof [9, 10]", "does not compare a score"),
        ("{nps} = 'high'", "a score is compared with a number"),
        ("{plan} = 'gold'", "none of its values is one of the question's choices"),
        ("{plan} contains 'pr'", "“contains” has no equivalent on this question"),
        ("{plan} = 'pro' and {plan} = 'team'", "“and” between choices"),
        ("{feat} allof ['x', 'y']", "“allof” has no equivalent"),
        ("{feat} notcontains 'x'", "“notcontains” has no equivalent"),
        ("{nps} <= 6 and {nps} >= 1 or {nps} = 10", "mixes “and” and “or”"),
        ("{city} = 'Lyon'", "“city” is a text question"),
        ("{later} = 1", "“later” comes later"),
        ("{on_time} = true", "“on_time” is not an imported question"),
        ("{ghost} = 1", "“ghost” is not an imported question"),
        ("{nps} = {csat}", "compares two answers"),
        ("{nps} <=", "not an expression Parcours can read"),
        ("{nps} <= 6 )", "not an expression Parcours can read"),
        ("{nps} ~ 6", "not an expression Parcours can read"),
        ("", None),
        (42, "not an expression Parcours can read"),
        ("{nps} <= " + "1" * 1000, "longer than 1000 characters"),
    ],
)
def test_other_visible_ifs_are_reported_and_the_question_is_always_shown(expression, why):
    survey = with_condition(
        expression, RATING_0_10, CSAT, PLAN, FEATURES, TEXT, {"type": "boolean", "name": "on_time"}
    )
    survey["pages"].append({"name": "p2", "elements": [{"type": "text", "name": "later"}]})
    spec, report = from_surveyjs(survey)
    follow = next(q for q in spec.questions if q.key == "follow")
    assert follow.show_if is None
    lines = [line for line in report if "visibleIf" in line]
    if why is None:  # an empty visibleIf is no condition at all
        assert lines == []
        return
    assert len(lines) == 1, report
    assert lines[0].startswith("Question “follow” (comment): visibleIf “")
    assert why in lines[0] and lines[0].endswith("; the question is always shown.")


def test_surveyjs_pages_become_pages_and_pages_without_questions_are_skipped():
    spec, report = from_surveyjs(
        {
            "pages": [
                {"name": "a", "elements": [RATING_0_10, {"type": "html", "name": "hello"}]},
                {"name": "b", "elements": [{"type": "html", "name": "intro"}]},
                {"name": "c", "elements": [{"type": "panel", "name": "box", "elements": [CSAT]},
                                           TEXT]},
                {"name": "d", "elements": [{**FEATURES, "visibleIf": "{nps} >= 9"}]},
            ]
        }
    )  # fmt: skip
    assert rules_and_pages(spec.questions) == [
        ("nps", 1, None),
        ("csat", 2, None),
        ("city", 2, None),
        ("feat", 3, between("nps", 9, 10)),
    ]
    assert not [line for line in report if "visibleIf" in line]


def test_a_survey_of_more_pages_than_ours_puts_the_last_ones_together_and_says_so():
    pages = [{"name": f"p{n}", "elements": [{"type": "text", "name": f"q{n}"}]} for n in range(25)]
    spec, report = from_surveyjs({"pages": pages})
    assert [q.page for q in spec.questions] == [*range(1, MAX_PAGE + 1), *[MAX_PAGE] * 5]
    assert sum("at most 20 pages" in line for line in report) == 1


def test_a_surveyjs_survey_with_rules_imports_with_them(db_session):
    journey = a_journey(db_session)
    survey = with_condition("{nps} <= 6", RATING_0_10)
    survey["pages"].append(
        {
            "name": "p2",
            "elements": [
                {**PLAN, "visibleIf": "{nps} >= 9"},
                {**TEXT, "visibleIf": "{plan} = 'pro'"},
            ],
        }
    )
    result = import_questionnaire(db_session, journey, survey, stage_key="retention")
    db_session.commit()
    assert rules_and_pages(result.questionnaire.current_version.questions) == [
        ("nps", 1, None),
        ("follow", 1, between("nps", 0, 6)),
        ("plan", 2, between("nps", 9, 10)),
        ("city", 2, one_of("plan", "pro")),
    ]


# SurveyJS out: one SurveyJS page per page, visibleIf on the earlier question's name


def test_surveyjs_export_writes_pages_and_visible_ifs(db_session):
    questionnaire = a_questionnaire_with_every_kind_of_rule(db_session)
    survey = to_surveyjs(questionnaire)
    assert [(p["name"], [e["name"] for e in p["elements"]]) for p in survey["pages"]] == [
        ("page1", ["nps", "fix", "quote"]),
        ("page2", ["csat", "why", "plan", "extras", "felt"]),
        ("page3", ["mid", "five", "pro", "cable", "upset"]),
    ]
    conditions = {
        e["name"]: e.get("visibleIf") for page in survey["pages"] for e in page["elements"]
    }
    assert conditions == {
        "nps": None,
        "fix": "{nps} <= 6",
        "quote": "{nps} >= 9",
        "csat": None,
        "why": None,
        "plan": None,
        "extras": None,
        "felt": None,
        "mid": "{csat} >= 2 and {csat} <= 4",
        "five": "{csat} = 5",
        "pro": "{plan} anyof ['pro', \"team's\"]",
        "cable": "{extras} anyof ['cable']",
        "upset": "{felt} anyof ['sadness', 'anger']",
    }


def test_pages_and_rules_come_back_from_our_surveyjs_export(db_session):
    questionnaire = a_questionnaire_with_every_kind_of_rule(db_session)
    spec, report = from_surveyjs(as_json(to_surveyjs(questionnaire)))
    assert report == []
    assert rules_and_pages(spec.questions) == rules_and_pages(
        questionnaire.current_version.questions
    )


def test_a_stage_template_keeps_its_follow_ups_through_surveyjs(db_session):
    for kind in ("nps", "csat", "ces"):
        questionnaire = a_draft_questionnaire(db_session, kind, "retention")
        spec, report = from_surveyjs(to_surveyjs(questionnaire))
        assert report == []
        assert [q.show_if for q in spec.questions] == [
            q.show_if for q in questionnaire.current_version.questions
        ]
        assert len(to_surveyjs(questionnaire)["pages"]) == 1


def test_reading_a_survey_never_changes_it():
    survey = with_condition("{nps} >= 9", RATING_0_10)
    kept = copy.deepcopy(survey)
    from_surveyjs(survey)
    assert survey == kept
    assert NPS_HIGH == {"question": "nps", "op": "between", "min": 9, "max": 10}


@settings(max_examples=400, deadline=None)
@given(
    expression=st.text(max_size=60)
    | st.lists(
        st.sampled_from(["{nps}", "{plan}", "{feat}", "(", ")", "and", "or", "!", "<=", "=",
                         "anyof", "contains", "[", "]", ",", "'pro'", "6", "-1.5", "1" * 400,
                         "notempty", "iif", "{", "}", "'", '"']),
        max_size=14,
    ).map(" ".join)
    | st.just("(" * 300 + "{nps} <= 6" + ")" * 300),
)  # fmt: skip
def test_any_visible_if_gives_a_rule_check_rule_accepts_or_a_report_line(expression):
    spec, report = from_surveyjs(with_condition(expression, RATING_0_10, PLAN, FEATURES))
    follow = spec.questions[-1]
    if follow.show_if is not None:
        placed = [SimpleNamespace(**vars(q), position=i) for i, q in enumerate(spec.questions)]
        assert check_rule(follow.show_if, len(placed) - 1, placed) is None
    else:
        assert expression.strip() == "" or any("visibleIf" in line for line in report)
