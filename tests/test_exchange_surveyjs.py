"""SurveyJS JSON: a real Creator export comes in with a report of what stayed behind; ours goes
out and comes back with its types, keys, required flags and both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import EVERY_TYPE, a_draft_questionnaire, a_journey
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.design_service import add_question, create_questionnaire
from surveys.exchange import (
    ExchangeError,
    from_surveyjs,
    import_questionnaire,
    read_questionnaire,
    to_surveyjs,
)
from surveys.models import KINDS
from surveys.question_types import EMOTIONS

CREATOR_EXPORT = Path(__file__).parent / "data" / "surveyjs_checkout_feedback.json"


def creator_export() -> dict:
    return json.loads(CREATOR_EXPORT.read_text(encoding="utf-8"))


def survey(*elements, **properties) -> dict:
    return {"pages": [{"name": "page1", "elements": list(elements)}], **properties}


def rating(name: str = "score", title: str = "Your score", **properties) -> dict:
    return {"type": "rating", "name": name, "title": title, **properties}


def one_question(*elements, **properties):
    spec, report = from_surveyjs(survey(*elements, **properties))
    assert len(spec.questions) == 1, report
    return spec.questions[0], report


def lines_about(report: list[str], name: str) -> list[str]:
    return [line for line in report if f"“{name}”" in line]


# A SurveyJS Creator export


def test_a_creator_export_maps_its_questions_in_order():
    spec, _ = from_surveyjs(creator_export())
    assert [(q.key, q.type, q.required) for q in spec.questions] == [
        ("nps_score", "nps", True),
        ("checkout_satisfaction", "csat", False),
        ("payment_method", "single_choice", True),
        ("what_went_wrong", "multi_choice", False),
        ("device", "single_choice", False),
        ("tracking_effort", "ces", False),  # inside a panel on page 2
        ("email_address", "short_text", False),
        ("improve", "long_text", False),
    ]
    assert all(q.prompt["en"] and q.prompt["fr"] for q in spec.questions)
    assert spec.title == {"en": "Your feedback on checkout", "fr": "Votre avis sur le paiement"}
    assert spec.intro["fr"].startswith("Cinq minutes")
    assert (spec.kind, spec.languages, spec.stage) == ("custom", ["fr", "en"], None)
    by_key = {q.key: q for q in spec.questions}
    assert by_key["payment_method"].options == [
        {"value": "card", "label": {"en": "Credit card", "fr": "Carte bancaire"}},
        {"value": "paypal", "label": {"en": "PayPal", "fr": ""}},
        {"value": "transfer", "label": {"en": "Bank transfer", "fr": "Virement"}},
    ]
    assert [o["value"] for o in by_key["device"].options] == ["Phone", "Tablet", "Computer"]
    assert by_key["nps_score"].settings == {
        "low_label": {"en": "(Most unlikely)", "fr": "(Très peu probable)"},
        "high_label": {"en": "(Most likely)", "fr": "(Très probable)"},
    }
    assert by_key["improve"].help == {
        "en": "Anything that comes to mind.",
        "fr": "Tout ce qui vous vient à l'esprit.",
    }


def test_a_creator_export_reports_every_element_and_property_left_behind():
    _, report = from_surveyjs(creator_export())
    expected = {
        "on_time": ["(boolean) not imported", "yes/no"],
        "delivery_quality": ["(matrix) not imported", "grid"],
        "delivery_intro": ["(html) not imported", "static text"],
        "payment_method": ["showOtherItem, otherText not imported", "colCount"],
        "what_went_wrong": ["showNoneItem"],  # its visibleIf is a rule (below)
        "Email Address": ["inputType “email”", "validators not imported", "email_address"],
        "checkout_satisfaction": ["rateType"],
        "device": ["placeholder"],
        "improve": ["autoGrow"],
        "page1": ["title not imported"],
        "delivery_panel": ["title not imported"],
    }
    for name, fragments in expected.items():
        about = " ".join(lines_about(report, name))
        for fragment in fragments:
            assert fragment in about, (name, fragment, about)
    survey_lines = " ".join(line for line in report if line.startswith("Survey:"))
    for setting in ("completedHtml", "logoPosition", "showProgressBar", "widthMode"):
        assert setting in survey_lines
    # Mapped properties are not reported; every line says why.
    assert not lines_about(report, "nps_score") and not lines_about(report, "tracking_effort")
    assert "visibleIf" not in " ".join(lines_about(report, "what_went_wrong"))
    assert all(" — " in line for line in report)


def test_a_creator_export_imports_as_a_draft_in_the_chosen_stage(db_session):
    journey = a_journey(db_session)
    result = import_questionnaire(
        db_session, journey, creator_export(), stage_key="purchase", touchpoint_key="checkout"
    )
    db_session.commit()
    questionnaire = result.questionnaire
    assert result.source == "surveyjs" and result.report == from_surveyjs(creator_export())[1]
    assert (questionnaire.status, questionnaire.kind) == ("draft", "custom")
    assert (questionnaire.stage.key, questionnaire.touchpoint.key) == ("purchase", "checkout")
    assert questionnaire.title["fr"] == "Votre avis sur le paiement"
    assert len(questionnaire.current_version.questions) == 8


def test_a_surveyjs_survey_needs_a_stage(db_session):
    journey = a_journey(db_session)
    with pytest.raises(ExchangeError, match="choose the stage") as raised:
        import_questionnaire(db_session, journey, creator_export())
    assert "stage" in raised.value.fields
    assert not db_session.new


def test_a_survey_without_a_title_keeps_the_stage_templates_title(db_session):
    journey = a_journey(db_session)
    result = import_questionnaire(
        db_session, journey, survey({"type": "comment", "name": "why"}), stage_key="retention"
    )
    assert result.questionnaire.title["en"] == "Questionnaire: Retention"
    assert result.report[-1] == "The survey has no title: it is called “Questionnaire: Retention”."


# Ratings: SurveyJS has one rating element; the scale and the words tell our types apart.


@pytest.mark.parametrize(
    "properties, qtype, scale",
    [
        ({"rateMin": 0, "rateMax": 10}, "nps", None),
        ({"rateMin": 0, "rateCount": 11}, "nps", None),
        ({"rateMax": 7, "title": "It was easy to order"}, "ces", None),
        ({"rateMax": 7, "name": "ces_checkout"}, "ces", None),
        ({"rateMax": 7, "title": "Il a été facile de commander"}, "ces", None),
        ({"rateMax": 7, "title": "Quality of ces produits"}, "rating", 7),
        ({"rateMax": 7}, "rating", 7),
        ({"title": "How satisfied are you?"}, "csat", None),
        ({"maxRateDescription": "Très satisfait"}, "csat", None),
        ({}, "rating", 5),
        ({"rateCount": 4}, "rating", 4),
        ({"rateValues": [1, 2, 3]}, "rating", 3),
        ({"rateValues": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]}, "rating", 10),
        ({"minRateDescription": "Strongly disagree", "rateMax": 7}, "likert", 7),
        ({"maxRateDescription": {"fr": "Tout à fait d'accord"}}, "likert", 5),
    ],
)
def test_a_rating_scale_becomes_our_type(properties, qtype, scale):
    question, _ = one_question(rating(**properties))
    assert question.type == qtype
    assert question.settings.get("scale") == scale


@pytest.mark.parametrize(
    "properties, why",
    [
        ({"rateMin": 0, "rateMax": 5}, "a scale from 0 to 5 has no equivalent"),
        ({"rateMax": 20}, "a scale from 1 to 20"),
        ({"rateMax": 2}, "a scale from 1 to 2"),
        ({"rateStep": 2, "rateMax": 9}, "rateStep 2"),
        ({"rateValues": [1, 3, 5]}, "not whole numbers in a row"),
        ({"rateValues": ["bad", "good"]}, "not whole numbers in a row"),
    ],
)
def test_a_rating_scale_we_cannot_hold_is_reported(properties, why):
    spec, report = from_surveyjs(survey(rating(**properties), {"type": "comment", "name": "c"}))
    assert [q.key for q in spec.questions] == ["c"]
    assert any(why in line and "“score” (rating) not imported" in line for line in report)


def test_end_labels_equal_to_our_defaults_are_not_kept_as_the_questions_own():
    question, _ = one_question(
        rating(rateMin=0, rateMax=10, minRateDescription="Not at all likely",
               maxRateDescription={"default": "Extremely likely", "fr": "Vraiment très probable"})
    )  # fmt: skip
    assert question.settings == {"high_label": {"en": "", "fr": "Vraiment très probable"}}


# Choices, names and languages


def test_choices_as_text_numbers_or_value_and_text():
    question, report = one_question(
        {
            "type": "radiogroup",
            "name": "size",
            "choices": [
                "S",
                2,
                3.0,
                {"value": "l", "text": {"default": "Large", "fr": "Grand"}},
                {"value": "xl"},
                {"value": "S"},
                {"value": "a|b", "text": "A | B"},
                {"value": None},
                {"value": "p", "text": "Pink", "visibleIf": "{x} = 1"},
            ],
        }
    )
    assert [(o["value"], o["label"]["en"], o["label"]["fr"]) for o in question.options] == [
        ("S", "S", ""),
        ("2", "2", ""),
        ("3", "3", ""),
        ("l", "Large", "Grand"),
        ("xl", "xl", ""),
        ("a/b", "A / B", ""),
        ("p", "Pink", ""),
    ]
    notes = " ".join(lines_about(report, "size"))
    for fragment in ("choice “S” not imported — it is empty or repeated",
                     "choice “a|b” changed — an option is one line",
                     "choice 8 not imported", "visibleIf of choice 9 not imported"):  # fmt: skip
        assert fragment in notes


def test_our_eight_emotions_come_back_as_an_emotion_question():
    choices = [{"value": e, "text": e.title()} for e in reversed(EMOTIONS)]
    question, _ = one_question({"type": "radiogroup", "name": "felt", "choices": choices})
    assert (question.type, question.options) == ("emotion", [])
    question, _ = one_question({"type": "checkbox", "name": "felt", "choices": choices})
    assert question.type == "multi_choice"


def test_a_choice_question_without_two_choices_is_reported():
    spec, report = from_surveyjs(
        survey(
            {"type": "dropdown", "name": "country", "choicesByUrl": {"url": "https://x.test"}},
            {"type": "checkbox", "name": "one", "choices": ["only"]},
            {"type": "text", "name": "city"},
        )
    )
    assert [q.key for q in spec.questions] == ["city"]
    assert "its choices come from choicesByUrl" in " ".join(lines_about(report, "country"))
    assert "at least two choices" in " ".join(lines_about(report, "one"))


def test_names_become_keys_and_collisions_get_a_suffix():
    spec, report = from_surveyjs(
        survey(
            {"type": "text", "name": "Q1 Ville"},
            {"type": "text", "name": "q1_ville"},
            {"type": "text", "name": "q1_ville"},
            {"type": "text", "name": "1. Écrivez"},
            {"type": "text", "name": "x" * 50},
            {"type": "text", "name": "y" * 40},
            {"type": "text", "name": "y" * 40},
            {"type": "text", "title": "No name"},
        )
    )
    assert [q.key for q in spec.questions] == [
        "q1_ville",
        "q1_ville_2",
        "q1_ville_3",
        "k_1_ecrivez",
        "x" * 40,
        "y" * 40,
        "y" * 38 + "_2",
        "question8",
    ]
    assert "key “q1_ville_2” — “q1_ville” is already taken" in " ".join(report)
    assert "key “q1_ville” — keys are a-z, 0-9 and _" in " ".join(report)
    assert any("is called “question8” — it has no name" in line for line in report)
    assert spec.questions[0].prompt["en"] == "Q1 Ville"  # SurveyJS shows the name then


def test_plain_texts_are_french_when_the_survey_says_so_and_other_languages_are_reported():
    spec, report = from_surveyjs(
        survey(
            {"type": "comment", "name": "why", "title": "Pourquoi ?"},
            {"type": "comment", "name": "how", "title": {"default": "Comment ?", "de": "Wie?"}},
            {"type": "comment", "name": "what", "title": {"default": "What?", "fr": "Quoi ?"}},
            title="Votre avis",
            locale="fr",
        )
    )
    assert [q.prompt for q in spec.questions] == [
        {"en": "", "fr": "Pourquoi ?"},
        {"en": "", "fr": "Comment ?"},
        {"en": "What?", "fr": "Quoi ?"},
    ]
    assert spec.title == {"en": "", "fr": "Votre avis"}
    assert spec.languages == ["fr", "en"]
    assert "Texts in de not imported" in report[-1]


def test_pages_panels_and_old_style_questions_are_flattened_in_order():
    nested = {
        "type": "panel",
        "name": "outer",
        "elements": [
            {"type": "text", "name": "b"},
            {"type": "panel", "name": "inner", "questions": [{"type": "text", "name": "c"}]},
        ],
    }
    spec, _ = from_surveyjs(
        {
            "pages": [
                {"name": "p1", "questions": [{"type": "text", "name": "a"}, nested]},
                {"name": "p2", "elements": [{"type": "comment", "name": "d"}]},
            ]
        }
    )
    assert [q.key for q in spec.questions] == ["a", "b", "c", "d"]
    for without_pages in ({"elements": [{"type": "text", "name": "a"}]},
                          {"questions": [{"type": "text", "name": "a"}]}):  # fmt: skip
        assert [q.key for q in from_surveyjs(without_pages)[0].questions] == ["a"]


def test_text_input_types_and_lengths_are_reported():
    spec, report = from_surveyjs(
        survey(
            {"type": "text", "name": "age", "inputType": "number", "maxLength": 3},
            {"type": "text", "name": "city", "maxLength": 300, "inputType": "text"},
            {"type": "comment", "name": "why", "maxLength": 5000, "visible": True},
            {"type": "comment", "name": "hidden", "visible": False, "isRequired": "yes"},
        )
    )
    assert [q.type for q in spec.questions] == ["short_text", "short_text", "long_text"] + [
        "long_text"
    ]
    assert len(lines_about(report, "age")) == 2
    assert not lines_about(report, "city") and not lines_about(report, "why")
    hidden = " ".join(lines_about(report, "hidden"))
    assert "visible not imported" in hidden and "isRequired “yes”" in hidden


# Our questionnaires out to SurveyJS and back


def test_to_surveyjs_writes_surveyjs_elements_with_both_languages(db_session):
    questionnaire = a_draft_questionnaire(db_session, "custom", "retention")
    for spec in EVERY_TYPE:
        add_question(db_session, questionnaire, {**spec, "required": spec["type"] == "nps"})
    exported = to_surveyjs(questionnaire)
    elements = {e["name"]: e for e in exported["pages"][0]["elements"]}
    assert exported["title"] == {
        "default": "Questionnaire: Retention",
        "fr": "Questionnaire : Fidélisation",
    }
    assert "locale" not in exported
    shapes = {
        name: (e["type"], e.get("rateMin"), e.get("rateMax"), e.get("rateCount"))
        for name, e in elements.items()
    }
    assert shapes == {
        "nps": ("rating", 0, 10, 11),
        "csat": ("rating", 1, 5, 5),
        "ces": ("rating", 1, 7, 7),
        "rating": ("rating", 1, 4, 4),
        "likert": ("rating", 1, 7, 7),
        "channel": ("radiogroup", None, None, None),
        "extras": ("checkbox", None, None, None),
        "city": ("text", None, None, None),
        "story": ("comment", None, None, None),
        "felt": ("radiogroup", None, None, None),
    }
    assert elements["nps"]["isRequired"] is True and "isRequired" not in elements["csat"]
    assert elements["felt"]["choices"][0] == {
        "value": "joy",
        "text": {"default": "Happy", "fr": "Content·e"},
    }
    assert [c["value"] for c in elements["felt"]["choices"]] == list(EMOTIONS)
    assert elements["channel"]["choices"][1] == {
        "value": "store",
        "text": {"default": "Store", "fr": "Magasin"},
    }
    assert elements["nps"]["title"] == {"default": "Recommend us?", "fr": "Recommander ?"}
    assert elements["csat"]["minRateDescription"] == {
        "default": "Very dissatisfied",
        "fr": "Très insatisfait",
    }
    json.dumps(exported)  # plain JSON


def summary(questions) -> list[tuple]:
    return [(q.key, q.type, q.required, q.prompt["en"], q.prompt["fr"]) for q in questions]


def test_every_type_comes_back_from_surveyjs_with_its_type_key_flag_and_languages(db_session):
    questionnaire = a_draft_questionnaire(db_session, "custom", "retention")
    for index, spec in enumerate(EVERY_TYPE):
        add_question(db_session, questionnaire, {**spec, "required": index % 2 == 1})
    spec, report = from_surveyjs(json.loads(json.dumps(to_surveyjs(questionnaire))))
    assert summary(spec.questions) == summary(questionnaire.current_version.questions)
    assert report == []
    assert [q.settings.get("scale") for q in spec.questions] == [
        q.settings.get("scale") for q in questionnaire.current_version.questions
    ]
    assert spec.questions[5].options == questionnaire.current_version.questions[5].options


@pytest.mark.parametrize("kind", KINDS)
def test_stage_templates_come_back_from_surveyjs(db_session, kind):
    journey = a_journey(db_session)
    for stage in journey.stages:
        for touchpoint in (None, stage.touchpoints[0]):
            questionnaire = create_questionnaire(db_session, journey, stage, kind, touchpoint)
            if not questionnaire.current_version.questions:
                continue  # a custom questionnaire starts empty
            spec, report = from_surveyjs(to_surveyjs(questionnaire))
            assert summary(spec.questions) == summary(questionnaire.current_version.questions)
            assert spec.title == questionnaire.title and report == []


def test_a_french_only_questionnaire_is_marked_french_and_comes_back_french(db_session):
    questionnaire = a_draft_questionnaire(db_session, "custom", "retention")
    questionnaire.languages = ["fr"]
    add_question(
        db_session,
        questionnaire,
        {"key": "why", "type": "long_text", "prompt": {"fr": "Pourquoi ?"}},
    )
    add_question(
        db_session, questionnaire, {"key": "en", "type": "long_text", "prompt": {"en": "English"}}
    )
    exported = to_surveyjs(questionnaire)
    assert exported["locale"] == "fr"
    spec, _ = from_surveyjs(exported)
    assert [q.prompt for q in spec.questions] == [
        {"en": "", "fr": "Pourquoi ?"},
        {"en": "English", "fr": ""},
    ]


# Files that cannot be read at all: ExchangeError with a path, never a crash.


@pytest.mark.parametrize(
    "document, field",
    [
        ([], "$"),
        ({"pages": "page1"}, "pages"),
        ({"pages": ["page1"]}, "pages[0]"),
        (survey("text"), "pages[0].elements[0]"),
        ({"pages": [{"elements": {"type": "text"}}]}, "pages[0].elements"),
        (survey({"type": "text", "name": "a", "title": "x" * 501}), "pages[0].elements[0].title"),
        (survey({"type": "text", "name": "a", "title": {"default": "x" * 501}}),
         "pages[0].elements[0].title.default"),
        (survey({"type": "text", "name": "a", "title": ["x"]}), "pages[0].elements[0].title"),
        (survey({"type": "text", "name": "a", "description": "x" * 301}),
         "pages[0].elements[0].description"),
        (survey({"type": "text", "name": "a", "title": "a\x00b"}), "pages[0].elements[0].title"),
        (survey(rating(rateMin="one")), "pages[0].elements[0].rateMin"),
        (survey(rating(rateMax=float("nan"))), "pages[0].elements[0].rateMax"),
        (survey(rating(minRateDescription="x" * 61)),
         "pages[0].elements[0].minRateDescription"),
        (survey({"type": "radiogroup", "name": "a", "choices": [{"value": "v" * 101}, "b"]}),
         "pages[0].elements[0].choices[0].value"),
        (survey({"type": "radiogroup", "name": "a", "choices": "a,b"}),
         "pages[0].elements[0].choices"),
        (survey(*[{"type": "text", "name": f"q{i}"} for i in range(201)]), "questions"),
        (survey({"type": "html", "name": "a"}, {"type": "boolean", "name": "b"}), "pages"),
        ({"title": "Empty", "pages": []}, "pages"),
        (survey(*[{"type": "html"}] * 2001), "pages[0].elements[2000]"),
    ],
)  # fmt: skip
def test_a_survey_that_cannot_be_read_gives_an_exchange_error_with_a_path(document, field):
    with pytest.raises(ExchangeError) as raised:
        from_surveyjs(document)
    assert field in raised.value.fields, raised.value.fields


def test_panels_nested_too_deep_are_refused():
    element = {"type": "text", "name": "deep"}
    for _ in range(12):
        element = {"type": "panel", "elements": [element]}
    with pytest.raises(ExchangeError, match="nested more than 10 deep"):
        from_surveyjs(survey(element))


def test_nothing_mappable_says_why():
    with pytest.raises(ExchangeError, match="yes/no question"):
        from_surveyjs(survey({"type": "boolean", "name": "ok"}))


# Whatever JSON arrives, the readers answer with a result or an ExchangeError.

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["type", "name", "title", "choices", "rateMin", "rateMax", "rateValues",
                         "elements", "pages", "questions", "value", "text", "default", "fr",
                         "isRequired", "rateCount", "format", "version", "kind", "prompt"])
        | st.text(max_size=5),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip
ELEMENT_TYPES = st.sampled_from(
    ["rating", "radiogroup", "checkbox", "dropdown", "text", "comment", "panel", "boolean"]
)


@st.composite
def surveyish(draw):
    """Documents shaped like surveys, with anything in their elements' properties."""
    elements = draw(
        st.lists(
            st.builds(
                lambda kind, extra: {**extra, "type": kind}, ELEMENT_TYPES, st.dictionaries(
                    st.sampled_from(["name", "title", "choices", "rateMin", "rateMax",
                                     "rateValues", "rateCount", "elements", "isRequired",
                                     "minRateDescription", "description"]),
                    JSON, max_size=4,
                ),
            ),
            max_size=5,
        )
    )  # fmt: skip
    return survey(*elements)


@settings(max_examples=300, deadline=None)
@given(document=JSON | surveyish())
def test_any_json_gives_a_result_or_an_exchange_error(document):
    for read in (from_surveyjs, read_questionnaire):
        try:
            read(document)
        except ExchangeError as error:
            assert error.fields and str(error)
