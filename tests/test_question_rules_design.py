"""Researchers put questions on pages and make follow-ups: a question shown only when an
earlier answer matches a rule. The design service checks every rule against the version's
questions (`question_rules.check_rule`) and refuses any edit that would break one."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from builders import (
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
)
from markupsafe import escape
from sqlalchemy import select

from surveys.design_service import (
    DesignError,
    add_question,
    create_questionnaire,
    move_question,
    remove_question,
    update_question,
)
from surveys.journey_templates import TEMPLATES
from surveys.models import KINDS, Questionnaire
from surveys.question_rules import MAX_PAGE, check_rule
from surveys.question_types import AnswerValue
from surveys.questionnaire_templates import template_for
from surveys.submissions import store_response

PLAN = {
    "key": "plan",
    "type": "single_choice",
    "prompt": {"en": "Which plan do you have?", "fr": "Quelle formule avez-vous ?"},
    "options": [
        {"value": "free", "label": {"en": "Free", "fr": "Gratuite"}},
        {"value": "pro", "label": {"en": "Pro", "fr": "Pro"}},
        {"value": "team", "label": {"en": "Team", "fr": "Équipe"}},
    ],
}
NPS = {"key": "nps", "type": "nps", "prompt": {"en": "How likely are you to recommend us?"}}
WHY = {"key": "why", "type": "long_text", "prompt": {"en": "Why?", "fr": "Pourquoi ?"}}


def low_nps(**changes) -> dict:
    return {"question": "nps", "op": "between", "min": 0, "max": 6, **changes}


def follow_up(key: str, rule: dict | None, **fields) -> dict:
    return {
        "key": key,
        "type": "long_text",
        "prompt": {"en": key.title()},
        "show_if": rule,
        **fields,
    }


def reload(db_session, questionnaire) -> Questionnaire:
    db_session.expire_all()
    return db_session.get(Questionnaire, questionnaire.id)


def layout(db_session, questionnaire) -> list[tuple]:
    """(key, page, position, rule) of each question of the current version, in order."""
    questions = reload(db_session, questionnaire).current_version.questions
    return [(q.key, q.page, q.position, q.show_if) for q in questions]


@pytest.fixture
def custom(db_session):
    """A draft with an NPS, a plan choice and an optional "why"."""
    questionnaire = a_draft_questionnaire(db_session, "custom", "retention")
    for spec in (NPS, PLAN, WHY):
        add_question(db_session, questionnaire, spec)
    db_session.commit()
    return questionnaire


# The service: rules and pages checked against the version's questions


def test_a_follow_up_is_stored_with_its_rule_in_one_written_form(db_session, custom):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    add_question(
        db_session,
        custom,
        follow_up("paid", {"question": "plan", "op": "in", "values": ["team", "pro", "team"]}),
    )
    db_session.commit()
    rules = {key: rule for key, _page, _position, rule in layout(db_session, custom)}
    assert rules["fix"] == {"question": "nps", "op": "between", "min": 0, "max": 6}
    # In the order of the options, once each, whatever order they were ticked in.
    assert rules["paid"] == {"question": "plan", "op": "in", "values": ["pro", "team"]}
    assert rules["nps"] is None


@pytest.mark.parametrize(
    "rule, code, field, words",
    [
        (low_nps(question="age"), "rule_unknown_question", "show_if_question", "no question “age”"),
        (low_nps(question="later"), "rule_not_earlier", "show_if_question", "comes after"),
        (low_nps(question="fix"), "rule_not_earlier", "show_if_question", "its own answer"),
        (low_nps(question="why"), "rule_wrong_type", "show_if_question", "choice or emotion"),
        ({"question": "nps", "op": "in", "values": ["6"]}, "rule_wrong_type", "show_if_question",
         "give the range of scores"),
        ({"question": "plan", "op": "between", "min": 0, "max": 1}, "rule_wrong_type",
         "show_if_values", "tick the answers"),
        (low_nps(min=7, max=3), "rule_bad_range", "show_if_min", "from 0 to 10, the lower one"),
        (low_nps(max=11), "rule_bad_range", "show_if_min", "from 0 to 10"),
        (low_nps(min=-1), "rule_bad_range", "show_if_min", "from 0 to 10"),
        (low_nps(min=None), "rule_bad_range", "show_if_min", "two whole numbers"),
        (low_nps(min=True), "rule_bad_range", "show_if_min", "two whole numbers"),
        (low_nps(max="6"), "rule_bad_range", "show_if_min", "two whole numbers"),
        ({"question": "plan", "op": "in", "values": []}, "rule_bad_values", "show_if_values",
         "Tick one or more"),
        ({"question": "plan", "op": "in", "values": ["gold"]}, "rule_bad_values",
         "show_if_values", "Tick one or more of the answers of “plan”"),
        ({"question": "plan", "op": "in", "values": "pro"}, "rule_bad_values", "show_if_values",
         "Tick one or more"),
        ({"question": "nps", "op": "equals", "value": 3}, "rule_bad_op", "show_if_question",
         "range of scores or a list"),
        ("nps <= 6", "rule_bad_op", "show_if_question", "range of scores or a list"),
    ],
)  # fmt: skip
def test_a_rule_check_rule_refuses_is_refused_by_the_field_and_nothing_is_added(
    db_session, custom, rule, code, field, words
):
    add_question(db_session, custom, {**WHY, "key": "later", "type": "nps", "page": 2})
    db_session.commit()
    before = layout(db_session, custom)
    with pytest.raises(DesignError) as refused:
        add_question(db_session, reload(db_session, custom), follow_up("fix", rule))
    assert words in str(refused.value)
    assert refused.value.field == field
    db_session.rollback()
    assert layout(db_session, custom) == before
    # The message stands for check_rule's verdict wherever check_rule can read the rule.
    questions = reload(db_session, custom).current_version.questions
    readable = isinstance(rule, dict) and isinstance(rule.get("values", []), list)
    if readable and code != "rule_bad_op" and rule["question"] not in ("fix", "later"):
        assert check_rule(rule, len(questions), questions) == code


def test_a_rule_on_a_later_question_is_refused_when_editing_too(db_session, custom):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    with pytest.raises(DesignError, match="comes after this question"):
        update_question(
            db_session,
            custom,
            "plan",
            {**PLAN, "show_if": {"question": "fix", "op": "in", "values": ["x"]}},
        )


@pytest.mark.parametrize("page", [0, MAX_PAGE + 1, -1, "2", 1.5, True])
def test_a_page_out_of_range_is_refused(db_session, custom, page):
    with pytest.raises(DesignError, match=f"from 1 to {MAX_PAGE}") as refused:
        add_question(db_session, custom, {**WHY, "key": "city", "page": page})
    assert refused.value.field == "page"


def test_questions_stay_page_by_page_and_a_new_one_goes_to_the_end_of_its_page(db_session, custom):
    add_question(db_session, custom, {**WHY, "key": "csat", "type": "csat", "page": 2})
    add_question(db_session, custom, {**WHY, "key": "city", "type": "short_text"})
    add_question(db_session, custom, follow_up("fix", low_nps(), page=2))
    db_session.commit()
    assert [(key, page, position) for key, page, position, _ in layout(db_session, custom)] == [
        ("nps", 1, 0),
        ("plan", 1, 1),
        ("why", 1, 2),
        ("city", 1, 3),
        ("csat", 2, 4),
        ("fix", 2, 5),
    ]


def test_an_edit_without_page_or_rule_keeps_them(db_session, custom):
    add_question(db_session, custom, follow_up("fix", low_nps(), page=2))
    update_question(db_session, custom, "fix", {"type": "short_text", "prompt": {"en": "Fix?"}})
    db_session.commit()
    assert layout(db_session, custom)[-1] == ("fix", 2, 3, low_nps())


def test_a_question_moved_to_another_page_goes_to_its_end(db_session, custom):
    add_question(db_session, custom, {**WHY, "key": "csat", "type": "csat", "page": 2})
    update_question(db_session, custom, "nps", {**NPS, "page": 2})
    db_session.commit()
    assert [(key, page) for key, page, _, _ in layout(db_session, custom)] == [
        ("plan", 1),
        ("why", 1),
        ("csat", 2),
        ("nps", 2),
    ]


def test_removing_a_question_a_rule_depends_on_is_refused(db_session, custom):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    before = layout(db_session, custom)
    with pytest.raises(DesignError, match="“fix” is shown only after some answers to “nps”"):
        remove_question(db_session, custom, "nps")
    db_session.rollback()
    assert layout(db_session, custom) == before
    remove_question(db_session, custom, "fix")  # the follow-up first, then its question
    remove_question(db_session, custom, "nps")
    db_session.commit()
    assert [key for key, *_ in layout(db_session, custom)] == ["plan", "why"]


@pytest.mark.parametrize(
    "key, change, field",
    [
        ("nps", {**NPS, "type": "long_text"}, "type"),
        ("nps", {**NPS, "type": "csat"}, "type"),  # 0 to 6 is not a CSAT range
        ("plan", {**PLAN, "options": PLAN["options"][:1] + [
            {"value": "basic", "label": {"en": "Basic"}}]}, "options"),
        ("plan", {**PLAN, "type": "short_text"}, "type"),
    ],
)  # fmt: skip
def test_retyping_a_question_in_a_way_that_breaks_a_rule_is_refused(
    db_session, custom, key, change, field
):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    add_question(
        db_session, custom, follow_up("paid", {"question": "plan", "op": "in", "values": ["pro"]})
    )
    db_session.commit()
    before = layout(db_session, custom)
    with pytest.raises(DesignError, match="change or remove it first") as refused:
        update_question(db_session, custom, key, change)
    assert refused.value.field == field
    db_session.rollback()
    assert layout(db_session, custom) == before


def test_a_rating_scale_made_smaller_than_a_rule_is_refused(db_session, custom):
    rating = {"key": "stars", "type": "rating", "prompt": {"en": "Stars"}, "settings": {"scale": 7}}
    add_question(db_session, custom, rating)
    add_question(
        db_session,
        custom,
        follow_up("top", {"question": "stars", "op": "between", "min": 6, "max": 7}),
    )
    with pytest.raises(DesignError, match="“top” is shown only after") as refused:
        update_question(db_session, custom, "stars", {**rating, "settings": {"scale": 5}})
    assert refused.value.field == "scale"
    # A change that keeps the rule meaningful is fine.
    update_question(db_session, custom, "stars", {**rating, "settings": {"scale": 10}})


def test_moving_a_follow_up_above_its_question_or_the_question_below_it_is_refused(
    db_session, custom
):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    move_question(db_session, custom, "fix", -1)  # above "why": fine
    move_question(db_session, custom, "fix", -1)  # above "plan": fine
    db_session.commit()
    assert [key for key, *_ in layout(db_session, custom)] == ["nps", "fix", "plan", "why"]
    before = layout(db_session, custom)
    with pytest.raises(DesignError, match="“fix” is shown only after some answers to “nps”"):
        move_question(db_session, custom, "fix", -1)
    db_session.rollback()
    with pytest.raises(DesignError, match="so “nps” must come before it"):
        move_question(db_session, custom, "nps", 1)
    db_session.rollback()
    assert layout(db_session, custom) == before


def test_moving_across_a_page_edge_changes_the_page(db_session, custom):
    add_question(db_session, custom, {**WHY, "key": "csat", "type": "csat", "page": 2})
    add_question(db_session, custom, {**WHY, "key": "city", "type": "short_text", "page": 2})
    move_question(db_session, custom, "csat", -1)  # the first of page 2 becomes the last of page 1
    db_session.commit()
    assert [(key, page) for key, page, _, _ in layout(db_session, custom)] == [
        ("nps", 1), ("plan", 1), ("why", 1), ("csat", 1), ("city", 2),
    ]  # fmt: skip
    move_question(db_session, custom, "why", 1)  # swaps within page 1
    move_question(db_session, custom, "why", 1)  # the last of page 1 becomes the first of page 2
    db_session.commit()
    assert [(key, page) for key, page, _, _ in layout(db_session, custom)] == [
        ("nps", 1), ("plan", 1), ("csat", 1), ("why", 2), ("city", 2),
    ]  # fmt: skip


def test_a_trigger_moved_to_a_later_page_than_its_follow_up_is_refused(db_session, custom):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    with pytest.raises(DesignError, match="so “nps” must come before it") as refused:
        update_question(db_session, custom, "nps", {**NPS, "page": 2})
    assert refused.value.field == "page"
    db_session.rollback()
    update_question(db_session, custom, "fix", {**follow_up("fix", low_nps()), "page": 2})
    with pytest.raises(DesignError, match="so “nps” must come before it"):
        update_question(db_session, custom, "nps", {**NPS, "page": 2})  # it would follow "fix"
    db_session.rollback()
    # The follow-up on a later page than its question: fine.
    update_question(db_session, custom, "plan", {**PLAN, "page": 2})
    update_question(db_session, custom, "fix", {**follow_up("fix", low_nps()), "page": 3})
    update_question(db_session, custom, "nps", {**NPS, "page": 2})
    db_session.commit()
    assert [(key, page) for key, page, _, _ in layout(db_session, custom)] == [
        ("why", 1), ("plan", 2), ("nps", 2), ("fix", 3),
    ]  # fmt: skip


def test_editing_the_rule_of_an_answered_questionnaire_makes_a_new_version(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    store_response(db_session, questionnaire, {"nps": AnswerValue(number=3)}, "en", score=False)
    db_session.commit()
    questionnaire = reload(db_session, questionnaire)
    fix = next(q for q in questionnaire.current_version.questions if q.key == "fix")
    update_question(db_session, questionnaire, "fix", {
        "type": fix.type, "prompt": dict(fix.prompt), "show_if": low_nps(max=5)})  # fmt: skip
    db_session.commit()
    questionnaire = reload(db_session, questionnaire)
    old, new = questionnaire.versions
    rules = [{q.key: q.show_if for q in v.questions}["fix"] for v in (old, new)]
    assert rules == [low_nps(), low_nps(max=5)]


# The stage templates' follow-ups


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("nps", {"fix": (0, 6), "quote": (9, 10)}),
        ("csat", {"went_wrong": (1, 2)}),
        ("ces", {"hard": (1, 3)}),  # 1 is "strongly disagree" that it was easy
        ("interview", {}),
        ("custom", {}),
    ],
)
def test_stage_templates_ship_follow_ups_that_check_rule_accepts(kind, expected):
    stages = [s for template in TEMPLATES.values() for s in template.stages]
    for stage in stages:
        for touchpoint in (None, ("Delivery", "Livraison")):
            specs = template_for(kind, stage.key, (stage.name_en, stage.name_fr), touchpoint)
            placed = [
                SimpleNamespace(**{"settings": {}, "options": [], "show_if": None, "page": 1,
                                   **spec, "position": position})
                for position, spec in enumerate(specs["questions"])
            ]  # fmt: skip
            follow_ups = [q for q in placed if q.show_if]
            assert {q.key: (q.show_if["min"], q.show_if["max"]) for q in follow_ups} == expected
            for question in follow_ups:
                assert question.show_if["question"] == kind
                assert check_rule(question.show_if, question.position, placed) is None
                assert question.prompt["en"] and question.prompt["fr"]
                assert not question.required
            assert {q.page for q in placed} <= {1}  # the templates stay one page


def test_a_template_questionnaire_keeps_its_follow_ups_on_page_one(db_session):
    journey = a_journey(db_session)
    for kind in KINDS:
        questionnaire = create_questionnaire(db_session, journey, journey.stages[2], kind)
        db_session.flush()
        questions = questionnaire.current_version.questions
        assert {q.page for q in questions} <= {1}
        for question in questions:
            if question.show_if:
                assert check_rule(question.show_if, question.position, questions) is None
    nps = db_session.scalars(select(Questionnaire).where(Questionnaire.kind == "nps")).one()
    quote = next(q for q in nps.current_version.questions if q.key == "quote")
    assert quote.type == "single_choice"
    assert [o["label"]["fr"] for o in quote.options] == [
        "Oui, avec mon prénom",
        "Oui, sans mon nom",
        "Non",
    ]


# The researcher's form

FORM = {"key": "fix", "type": "long_text", "prompt_en": "What should we fix first?",
        "prompt_fr": "", "touchpoint": "0", "page": "1"}  # fmt: skip


def new_question_url(questionnaire) -> str:
    return f"/questionnaires/{questionnaire.id}/questions/new"


def errors_by(page: str, field: str) -> list[str]:
    return re.findall(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)


def test_the_form_offers_earlier_questions_and_their_answers(client, auth, db_session, custom):
    auth.login()
    page = client.get(new_question_url(custom)).get_data(as_text=True)
    assert "Show only when" in page
    assert '<option value="nps">' in page and '<option value="plan">' in page
    assert '<option value="why">' not in page  # a text answer cannot decide
    assert 'name="show_if_values" value="plan:pro"' in page
    # Editing "plan": only the questions before it.
    page = client.get(f"/questionnaires/{custom.id}/questions/plan/edit").get_data(as_text=True)
    assert '<option value="nps">' in page and '<option value="plan">' not in page


def test_a_follow_up_on_a_score_range_is_added_and_described(
    client, auth, forms, db_session, custom
):
    auth.login()
    response = forms.post(
        new_question_url(custom),
        {**FORM, "show_if_question": "nps", "show_if_min": "0", "show_if_max": "6"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert layout(db_session, custom)[-1] == ("fix", 1, 3, low_nps())
    page = client.get(f"/questionnaires/{custom.id}?lang=en").get_data(as_text=True)
    assert str(escape("Shown when “How likely are you to recommend us?” is 0 to 6")) in page
    assert "<h3>Page" not in page  # one page: no page headings


def test_a_follow_up_on_choices_is_added_and_described(client, auth, forms, db_session, custom):
    auth.login()
    response = forms.post(
        new_question_url(custom),
        {**FORM, "key": "seats", "page": "2", "show_if_question": "plan",
         "show_if_values": ["plan:team", "plan:pro", "nps:3"]},
    )  # fmt: skip
    assert response.status_code == 302
    rule = {"question": "plan", "op": "in", "values": ["pro", "team"]}
    assert layout(db_session, custom)[-1] == ("seats", 2, 3, rule)
    page = client.get(f"/questionnaires/{custom.id}?lang=en").get_data(as_text=True)
    assert "<h3>Page 1</h3>" in page and "<h3>Page 2</h3>" in page
    assert (
        str(escape("Shown when the answer to “Which plan do you have?” is “Pro” or “Team”")) in page
    )
    assert "Move to page 1" in page  # the first question of page 2 moves up to page 1
    edit = client.get(f"/questionnaires/{custom.id}/questions/seats/edit").get_data(as_text=True)
    assert 'value="plan:pro" checked' in edit and 'value="plan:free" checked' not in edit
    assert '<option selected value="plan">' in edit


def test_a_question_without_a_rule_is_always_shown(client, auth, forms, db_session, custom):
    auth.login()
    response = forms.post(new_question_url(custom), {**FORM, "show_if_question": "",
                                                     "show_if_min": "3"})  # fmt: skip
    assert response.status_code == 302
    assert layout(db_session, custom)[-1] == ("fix", 1, 3, None)


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"show_if_question": "nps", "show_if_min": "7", "show_if_max": "3"}, "show_if_min",
         "from 0 to 10, the lower one first"),
        ({"show_if_question": "nps", "show_if_min": "0", "show_if_max": "12"}, "show_if_min",
         "from 0 to 10"),
        ({"show_if_question": "nps", "show_if_min": "", "show_if_max": "6"}, "show_if_min",
         "two whole numbers"),
        ({"show_if_question": "nps", "show_if_min": "low", "show_if_max": "6"}, "show_if_min",
         "Not a valid integer"),
        ({"show_if_question": "plan"}, "show_if_values", "Tick one or more"),
        ({"show_if_question": "plan", "show_if_values": "nps:3"}, "show_if_values",
         "Tick one or more"),
        ({"show_if_question": "why"}, "show_if_question", "score, choice or emotion"),
        ({"show_if_question": "ghost"}, "show_if_question", "no question “ghost”"),
        ({"page": "0"}, "page", "A page number from 1 to 20"),
        ({"page": "two"}, "page", "Not a valid integer"),
    ],
)  # fmt: skip
def test_a_bad_rule_or_page_is_shown_by_its_field_with_everything_typed_kept(
    client, auth, forms, db_session, custom, typed, field, message
):
    auth.login()
    before = layout(db_session, custom)
    response = forms.post(new_question_url(custom), {**FORM, **typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert any(message in str(escape(e)) or message in e for e in errors_by(page, field)), (
        errors_by(page, field),
        page[page.find("Show only") :][:3000],
    )
    assert "What should we fix first?" in page  # what was typed is kept
    for name in ("show_if_min", "show_if_max", "page"):
        if typed.get(name):
            assert f'name="{name}" type="number" value="{typed[name]}"' in page or (
                f'value="{typed[name]}"' in page
            )
    assert layout(db_session, custom) == before


def test_a_rule_on_a_later_question_is_refused_by_the_form(client, auth, forms, db_session, custom):
    auth.login()
    url = f"/questionnaires/{custom.id}/questions/nps/edit"
    response = forms.post(
        url,
        {**FORM, "key": "nps", "type": "nps", "prompt_en": "Recommend?",
         "show_if_question": "plan", "show_if_values": "plan:pro"},
    )  # fmt: skip
    assert response.status_code == 422
    assert any("comes after this question" in str(escape(e)) or "comes after" in e
               for e in errors_by(response.get_data(as_text=True), "show_if_question"))  # fmt: skip
    assert layout(db_session, custom)[0][3] is None


def test_removing_a_trigger_from_the_page_is_refused_with_a_message(
    client, auth, forms, db_session, custom
):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    auth.login()
    response = forms.post(
        f"/questionnaires/{custom.id}/questions/nps/delete",
        page_url=f"/questionnaires/{custom.id}",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert str(escape("“fix” is shown only after some answers to “nps”")) in page
    assert [key for key, *_ in layout(db_session, custom)] == ["nps", "plan", "why", "fix"]


def test_retyping_a_trigger_from_the_form_is_refused_by_the_type_field(
    client, auth, forms, db_session, custom
):
    add_question(db_session, custom, follow_up("fix", low_nps()))
    db_session.commit()
    auth.login()
    response = forms.post(
        f"/questionnaires/{custom.id}/questions/nps/edit",
        {**FORM, "key": "nps", "type": "short_text", "prompt_en": "Recommend?"},
    )
    assert response.status_code == 422
    assert any(
        "change or remove it first" in e for e in errors_by(response.get_data(as_text=True), "type")
    )
    assert layout(db_session, custom)[0][0:2] == ("nps", 1)
    assert reload(db_session, custom).current_version.questions[0].type == "nps"
