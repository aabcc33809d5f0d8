"""Our questionnaire JSON: exported by one install, imported by another, equal on the way back."""

from __future__ import annotations

import copy
import json

import pytest
from builders import EVERY_TYPE, a_draft_questionnaire, a_journey, answer_as_a_new_customer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from surveys.design_service import add_question, create_questionnaire, publish
from surveys.exchange import (
    FORMAT,
    FORMAT_VERSION,
    ExchangeError,
    export_questionnaire,
    import_questionnaire,
    read_questionnaire,
)
from surveys.journey_templates import TEMPLATES
from surveys.models import KINDS, Questionnaire
from surveys.question_types import TYPES


def as_json(document: dict) -> dict:
    """What another install reads: the document after a trip through JSON text."""
    return json.loads(json.dumps(document))


def twin_journey(session, journey):
    """The same journey in another install: same name, template, stage and touchpoint keys."""
    return a_journey(session, journey.template, name=journey.name)


def round_trip(session, questionnaire, into=None) -> tuple[dict, dict]:
    """Export, import into a twin journey, export again: (first export, second export)."""
    exported = as_json(export_questionnaire(questionnaire))
    result = import_questionnaire(
        session, into or twin_journey(session, questionnaire.journey), exported
    )
    session.commit()
    assert result.source == "parcours" and result.report == []
    return exported, export_questionnaire(result.questionnaire)


def count_questionnaires(session) -> int:
    return session.scalar(select(func.count(Questionnaire.id)))


def every_type_questionnaire(session, journey=None):
    """A custom questionnaire with one question of each type, both languages, every setting."""
    questionnaire = a_draft_questionnaire(session, "custom", "retention", "delivery", journey)
    delivery = questionnaire.journey.touchpoint_by_key("delivery")
    packaging = questionnaire.journey.touchpoint_by_key("packaging")
    for index, spec in enumerate(EVERY_TYPE):
        add_question(
            session,
            questionnaire,
            {
                **spec,
                "required": index % 2 == 0,
                "help": {"en": f"Help {index}", "fr": f"Aide {index}"},
                "touchpoint_id": (packaging if index % 3 else delivery).id,
            },
        )
    add_question(
        session,
        questionnaire,
        {
            "key": "ease",
            "type": "ces",
            "prompt": {"en": "Easy?", "fr": "Facile ?"},
            "settings": {"low_label": {"en": "Not at all", "fr": ""}},
        },
    )
    session.commit()
    return questionnaire


# Round trips


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_stage_template_questionnaire_comes_back_equal(db_session, template):
    journey = a_journey(db_session, template)
    other = twin_journey(db_session, journey)
    for stage in journey.stages:
        for touchpoint in (None, *stage.touchpoints[:1]):
            for kind in KINDS:
                questionnaire = create_questionnaire(db_session, journey, stage, kind, touchpoint)
                exported, again = round_trip(db_session, questionnaire, into=other)
                assert again == exported, (stage.key, kind, touchpoint)
                assert exported["stage"] == stage.key
                assert exported["touchpoint"] == (touchpoint.key if touchpoint else None)


def test_a_questionnaire_with_every_type_in_both_languages_comes_back_equal(db_session):
    questionnaire = every_type_questionnaire(db_session)
    exported, again = round_trip(db_session, questionnaire)
    assert again == exported
    assert [q["type"] for q in exported["questions"]] == [*TYPES, "ces"]
    assert all(q["prompt"]["en"] and q["prompt"]["fr"] for q in exported["questions"])
    assert {q["touchpoint"] for q in exported["questions"]} == {"delivery", "packaging", None}
    assert exported["questions"][-1]["settings"] == {"low_label": {"en": "Not at all", "fr": ""}}


def test_the_import_is_a_new_draft_in_the_target_journey(db_session):
    questionnaire = every_type_questionnaire(db_session)
    publish(questionnaire)
    db_session.commit()
    other = twin_journey(db_session, questionnaire.journey)
    result = import_questionnaire(db_session, other, as_json(export_questionnaire(questionnaire)))
    db_session.commit()
    imported = result.questionnaire
    assert imported.id != questionnaire.id and imported.slug != questionnaire.slug
    assert imported.status == "draft" and imported.published_at is None
    assert (imported.journey, imported.stage.journey, imported.touchpoint.journey) == (
        other,
        other,
        other,
    )
    questions = imported.current_version.questions
    assert {q.touchpoint.journey_id for q in questions if q.touchpoint} == {other.id}
    assert imported.current_version.number == 1


def test_the_export_holds_keys_not_database_ids_nor_dates(db_session):
    exported = export_questionnaire(every_type_questionnaire(db_session))
    assert set(exported) == {
        "format", "version", "kind", "languages", "title", "intro", "journey", "stage",
        "touchpoint", "questions",
    }  # fmt: skip
    assert (exported["format"], exported["version"]) == (FORMAT, FORMAT_VERSION)
    assert exported["journey"] == {"name": "Shop journey", "template": "five-stage"}
    assert set(exported["questions"][0]) == {
        "key", "type", "required", "prompt", "help", "options", "settings", "touchpoint",
        "page", "show_if",
    }  # fmt: skip
    text = json.dumps(exported)
    for leak in ('"id"', "_id", "slug", "created", "published", "status"):
        assert leak not in text


def test_two_installs_export_the_same_questionnaire_equally(db_session):
    first = every_type_questionnaire(db_session)
    second = every_type_questionnaire(db_session, journey=twin_journey(db_session, first.journey))
    assert export_questionnaire(first) == export_questionnaire(second)


def test_the_export_is_the_current_version(app, db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat", "purchase")
    publish(questionnaire)
    db_session.commit()
    assert answer_as_a_new_customer(app, questionnaire, {"q_csat": "4"}).status_code == 303
    add_question(
        db_session,
        questionnaire,
        {"key": "city", "type": "short_text", "prompt": {"en": "City", "fr": "Ville"}},
    )
    db_session.commit()
    assert questionnaire.current_version.number == 2
    keys = [q["key"] for q in export_questionnaire(questionnaire)["questions"]]
    assert keys == ["csat", "why", "emotion", "went_wrong", "city"]


# Hypothesis: any questionnaire the editor accepts comes back equal.

TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60)
ONE_LINE = (
    st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="|"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def question_specs(draw, key: str) -> dict:
    qtype = draw(st.sampled_from(TYPES))
    prompt = draw(st.fixed_dictionaries({"en": TEXT, "fr": TEXT}).filter(
        lambda p: any(t.strip() for t in p.values())
    ))  # fmt: skip
    spec = {
        "key": key,
        "type": qtype,
        "prompt": prompt,
        "help": draw(st.fixed_dictionaries({"en": TEXT, "fr": TEXT})),
        "required": draw(st.booleans()),
        "page": draw(st.integers(1, 3)),  # the editor keeps them page by page
    }
    if qtype in ("single_choice", "multi_choice"):
        values = draw(st.lists(ONE_LINE, min_size=2, max_size=6, unique=True))
        spec["options"] = [
            {"value": v, "label": {"en": draw(ONE_LINE), "fr": draw(ONE_LINE)}} for v in values
        ]
    if qtype in ("rating", "likert"):
        sizes = (5, 7) if qtype == "likert" else range(3, 11)
        spec["settings"] = {"scale": draw(st.sampled_from(sizes))}
    return spec


@st.composite
def questionnaires(draw) -> list[dict]:
    keys = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,39}", fullmatch=True), max_size=8, unique=True)
    )
    return [draw(question_specs(key)) for key in keys]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=questionnaires(), kind=st.sampled_from(KINDS))
def test_any_questionnaire_the_editor_accepts_comes_back_equal(db_session, specs, kind):
    journey = a_journey(db_session)
    questionnaire = create_questionnaire(
        db_session, journey, journey.stages[1], kind, from_template=False
    )
    for spec in specs:
        add_question(db_session, questionnaire, spec)
    exported, again = round_trip(db_session, questionnaire)
    assert again == exported


# Files that cannot be imported: an ExchangeError naming the field, never a crash.


def a_file(**changes) -> dict:
    document = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kind": "csat",
        "languages": ["fr", "en"],
        "title": {"en": "Checkout", "fr": "Paiement"},
        "intro": {"en": "", "fr": ""},
        "stage": "purchase",
        "touchpoint": "checkout",
        "questions": [
            {"key": "csat", "type": "csat", "required": True, "prompt": {"en": "Happy?"}},
            {
                "key": "pay",
                "type": "single_choice",
                "prompt": {"fr": "Payé comment ?"},
                "options": [
                    {"value": "card", "label": {"en": "Card", "fr": "Carte"}},
                    {"value": "cash", "label": {"en": "Cash", "fr": "Espèces"}},
                ],
            },
        ],
    }
    for path, value in changes.items():
        target, *rest = path.split("__")
        holder = document
        for part in [target, *rest][:-1]:
            holder = holder[int(part)] if part.isdigit() else holder[part]
        last = [target, *rest][-1]
        if value is DELETE:
            del holder[last]
        elif last.isdigit():
            holder[int(last)] = value
        else:
            holder[last] = value
    return document


DELETE = object()
LONG = "x" * 501


@pytest.mark.parametrize(
    "document, field",
    [
        ([], "$"),
        ("a questionnaire", "$"),
        (a_file(format="surveyjs"), "format"),
        (a_file(version=FORMAT_VERSION + 1), "version"),
        (a_file(version="1"), "version"),
        (a_file(version=DELETE), "version"),
        (a_file(kind="quiz"), "kind"),
        (a_file(languages=["de"]), "languages"),
        (a_file(languages=[]), "languages"),
        (a_file(languages=["fr", "fr"]), "languages"),
        (a_file(stage=DELETE), "stage"),
        (a_file(stage="Purchase stage"), "stage"),
        (a_file(touchpoint=3), "touchpoint"),
        (a_file(title={"en": "x" * 201}), "title.en"),
        (a_file(title="Checkout"), "title"),
        (a_file(title={"de": "Kasse"}), "title.de"),
        (a_file(colour="blue"), "colour"),
        (a_file(questions={}), "questions"),
        (a_file(questions=[a_file()["questions"][0]] * 201), "questions"),
        (a_file(questions__1="pay"), "questions[1]"),
        (a_file(questions__1__type="slider"), "questions[1].type"),
        (a_file(questions__1__type=["single_choice"]), "questions[1].type"),
        (a_file(questions__1__key="csat"), "questions[1].key"),
        (a_file(questions__1__key="Pay by"), "questions[1].key"),
        (a_file(questions__1__key=DELETE), "questions[1].key"),
        (a_file(questions__0__required="yes"), "questions[0].required"),
        (a_file(questions__0__prompt={"en": "  ", "fr": ""}), "questions[0]"),
        (a_file(questions__0__prompt={"en": LONG}), "questions[0].prompt.en"),
        (a_file(questions__0__prompt={"en": "Happy\x00?"}), "questions[0].prompt.en"),
        (a_file(questions__0__help={"fr": "x" * 301}), "questions[0].help.fr"),
        (a_file(questions__0__colour="red"), "questions[0].colour"),
        (a_file(questions__0__options=[{"value": "a", "label": {}}]), "questions[0].options"),
        (a_file(questions__0__settings={"scale": 5}), "questions[0].settings.scale"),
        (a_file(questions__0__settings={"low_label": {"en": "x" * 61}}),
         "questions[0].settings.low_label.en"),
        (a_file(questions__0__settings={"size": 5}), "questions[0].settings.size"),
        (a_file(questions__1__options=DELETE), "questions[1]"),
        (a_file(questions__1__options__1__value="card"), "questions[1]"),
        (a_file(questions__1__options__1__value=""), "questions[1].options[1].value"),
        (a_file(questions__1__options__1__value=7), "questions[1].options[1].value"),
        (a_file(questions__1__options__1__label={"en": "A | B"}),
         "questions[1].options[1].label.en"),
        (a_file(questions__1__options__1="cash"), "questions[1].options[1]"),
        (a_file(questions__1__settings={"scale": 4}), "questions[1].settings.scale"),
        (a_file(questions__1__touchpoint="Check out"), "questions[1].touchpoint"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)  # fmt: skip
def test_a_bad_file_gives_an_exchange_error_naming_the_field(document, field):
    with pytest.raises(ExchangeError) as raised:
        read_questionnaire(document)
    assert field in raised.value.fields, raised.value.fields
    assert str(raised.value)


def test_a_scale_the_editor_refuses_is_refused_with_the_editors_words():
    document = a_file()
    document["questions"].append(
        {"key": "r", "type": "rating", "prompt": {"en": "Rate"}, "settings": {"scale": 12}}
    )
    with pytest.raises(ExchangeError, match="This scale can have 3, 4") as raised:
        read_questionnaire(document)
    assert list(raised.value.fields) == ["questions[2]"]


def test_an_unknown_stage_or_touchpoint_is_refused_and_nothing_is_added(db_session):
    journey = a_journey(db_session)
    before = count_questionnaires(db_session)
    cases = [
        (a_file(stage="onboarding"), {}, "stage"),
        (a_file(touchpoint="kiosk"), {}, "touchpoint"),
        (a_file(questions__1__touchpoint="kiosk"), {}, "questions[1].touchpoint"),
        (a_file(), {"stage_key": "onboarding"}, "stage"),
        (a_file(), {"touchpoint_key": "kiosk"}, "touchpoint"),
        ({"name": "not a questionnaire"}, {}, "format"),
    ]
    for document, overrides, field in cases:
        with pytest.raises(ExchangeError) as raised:
            import_questionnaire(db_session, journey, document, **overrides)
        assert field in raised.value.fields
        assert not db_session.new and not db_session.dirty
    assert count_questionnaires(db_session) == before
    with pytest.raises(ExchangeError, match="its stages: awareness, consideration"):
        import_questionnaire(db_session, journey, a_file(stage="onboarding"))


def test_the_stage_and_touchpoint_can_be_chosen_on_import(db_session):
    journey = a_journey(db_session)
    result = import_questionnaire(
        db_session, journey, a_file(), stage_key="retention", touchpoint_key="delivery"
    )
    db_session.commit()
    assert (result.questionnaire.stage.key, result.questionnaire.touchpoint.key) == (
        "retention",
        "delivery",
    )
    assert result.report == [
        "Placed in the stage “retention” instead of the file's “purchase”.",
        "Placed at the touchpoint “delivery” instead of the file's “checkout”.",
    ]


def test_reading_never_changes_the_document():
    document = a_file()
    kept = copy.deepcopy(document)
    read_questionnaire(document)
    assert document == kept
