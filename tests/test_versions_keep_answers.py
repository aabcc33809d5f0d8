"""Editing a live questionnaire never changes what its answers meant.

Each kind of edit (add, remove, reorder, retype a question, change its options or its
prompt) is made on the researcher's pages of a live questionnaire that has answers. It
makes a new version and leaves the old one as it was; every view and export that shows the
old answers shows them with their own version's prompts and option labels; and the journey
map and its drop-off count a question across versions only where its key and its type are
the same (a CSAT question retyped to a CES must not mix 1-5 and 1-7 scores).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from builders import (
    a_draft_questionnaire,
    a_journey,
    a_user,
    an_interview_guide,
    an_invitation,
    answer_as_a_new_customer,
    submission_key,
)
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from feedback.filters import Filters
from feedback.journey_map import drop_off, journey_map
from feedback.pain_points import pain_points
from surveys import rollups
from surveys.api_tokens import issue_token
from surveys.design_service import add_question, publish
from surveys.models import Answer, Questionnaire, QuestionnaireVersion, Response

REF = "C-2024-77"
SCORE_PROMPT = {
    "en": "How satisfied are you with checkout?",
    "fr": "Êtes-vous satisfait du paiement ?",
}
WHY_PROMPT = {"en": "What could we do better?", "fr": "Que pourrions-nous améliorer ?"}
CARRIER = {
    "key": "carrier",
    "type": "single_choice",
    "prompt": {"en": "Who delivered it?", "fr": "Qui l'a livré ?"},
    "options": [
        {"value": "post", "label": {"en": "Post office", "fr": "Bureau de poste"}},
        {"value": "relay", "label": {"en": "Relay point", "fr": "Point relais"}},
    ],
}
EXTRAS = {
    "key": "extras",
    "type": "multi_choice",
    "prompt": {"en": "What else did you buy?", "fr": "Quoi d'autre ?"},
    "options": [
        {"value": "case", "label": {"en": "A phone case", "fr": "Une coque"}},
        {"value": "cable", "label": {"en": "A charging cable", "fr": "Un câble de charge"}},
    ],
}
QUESTIONS = [
    {"key": "score", "type": "csat", "prompt": SCORE_PROMPT, "required": True},
    CARRIER,
    EXTRAS,
    {"key": "why", "type": "long_text", "prompt": WHY_PROMPT},
    {"key": "felt", "type": "emotion", "prompt": {"en": "You felt", "fr": "Vous étiez"}},
]
OLD_EN = {
    "q_score": "2",
    "q_carrier": "relay",
    "q_extras": ["case", "cable"],
    "q_why": "The parcel arrived late and the box was damaged.",
    "q_felt": "anger",
}
OLD_FR = {
    "q_score": "4",
    "q_carrier": "post",
    "q_extras": ["cable"],
    "q_why": "Livraison rapide, très contente du service.",
    "q_felt": "joy",
}
OLD_API = {
    "language": "en",
    "answers": {"score": 1, "carrier": "relay", "why": "Checkout failed twice, awful."},
}


def a_live_shop_questionnaire(session, journey=None) -> Questionnaire:
    """A live custom questionnaire about checkout: a CSAT score, two choices, why, feeling."""
    questionnaire = a_draft_questionnaire(
        session, "custom", "purchase", touchpoint_key="checkout", journey=journey
    )
    for spec in QUESTIONS:
        add_question(session, questionnaire, deepcopy(spec))
    publish(questionnaire)
    session.commit()
    return questionnaire


def reload(session, questionnaire) -> Questionnaire:
    session.expire_all()
    return session.get(Questionnaire, questionnaire.id)


def described(version: QuestionnaireVersion) -> list[dict]:
    """Everything a version asks, as plain data (compared before and after an edit)."""
    return [
        {
            "id": q.id,
            "key": q.key,
            "position": q.position,
            "type": q.type,
            "prompt": deepcopy(q.prompt),
            "help": deepcopy(q.help),
            "required": q.required,
            "options": deepcopy(q.options),
            "settings": deepcopy(q.settings),
            "touchpoint_id": q.touchpoint_id,
            "page": q.page,
            "show_if": deepcopy(q.show_if),
        }
        for q in version.questions
    ]


def form_of(spec: dict, **changes) -> dict:
    """The question form as a researcher fills it in for `spec`, with `changes`."""
    data = {
        "key": spec["key"],
        "type": spec["type"],
        "prompt_en": spec["prompt"]["en"],
        "prompt_fr": spec["prompt"]["fr"],
        "touchpoint": "0",
        "options": "\n".join(
            f"{o['value']} | {o['label']['en']} | {o['label']['fr']}"
            for o in spec.get("options", [])
        ),
    }
    if spec.get("required"):
        data["required"] = "y"
    return {**data, **changes}


def posted(reply, status: int = 302) -> None:
    assert reply.status_code == status, reply.get_data(as_text=True)[:3000]


# --- the edits, made on the researcher's pages ---------------------------------------------


def add_a_question(forms, q):
    spec = {"key": "city", "type": "short_text", "prompt": {"en": "Your city", "fr": "Votre ville"}}
    posted(forms.post(f"/questionnaires/{q.id}/questions/new", form_of(spec)))


def remove_a_question(forms, q):
    url = f"/questionnaires/{q.id}/questions/carrier/delete"
    posted(forms.post(url, page_url=f"/questionnaires/{q.id}"))


def reorder_questions(forms, q):
    url = f"/questionnaires/{q.id}/questions/why/move"
    posted(forms.post(url, {"direction": "up"}, page_url=f"/questionnaires/{q.id}"))


def retype_a_question(forms, q):
    url = f"/questionnaires/{q.id}/questions/score/edit"
    posted(forms.post(url, form_of(QUESTIONS[0], type="ces")))


def change_options(forms, q):
    # "post" goes, "relay" is renamed, "home" comes.
    options = "relay | Pickup locker | Consigne\nhome | Home delivery | À domicile"
    url = f"/questionnaires/{q.id}/questions/carrier/edit"
    posted(forms.post(url, form_of(CARRIER, options=options)))


def change_a_prompt(forms, q):
    url = f"/questionnaires/{q.id}/questions/score/edit"
    prompt = {"prompt_en": "Rate our checkout", "prompt_fr": "Notez notre paiement"}
    posted(forms.post(url, form_of(QUESTIONS[0], **prompt)))


@dataclass
class Edit:
    make: Callable
    # What the new version must look like, given the old one's description.
    expected: Callable[[list[dict]], list[dict]]
    # A customer's answers to the new version.
    new_answers: dict
    # Text the new version's pages show and the old responses' pages must not.
    new_words: list[str] = field(default_factory=list)
    # Text of the old version the new responses' pages must not show.
    old_words: list[str] = field(default_factory=list)


def _without_ids(questions: list[dict]) -> list[dict]:
    """Questions to compare with what an edit should give: the question form saves the help
    texts it shows empty, the service leaves them out."""
    return [
        {
            **{k: v for k, v in q.items() if k != "id"},
            "help": {k: v for k, v in q["help"].items() if v},
        }
        for q in questions
    ]


def _renumbered(questions: list[dict]) -> list[dict]:
    return [{**q, "position": i} for i, q in enumerate(questions)]


def _added(old):
    city = {
        **old[-1],  # the defaults of a new question, as the emotion question at the end has
        "key": "city",
        "type": "short_text",
        "prompt": {"en": "Your city", "fr": "Votre ville"},
        "position": len(old),
        "required": False,
    }
    return old + [city]


def _removed(old):
    return _renumbered([q for q in old if q["key"] != "carrier"])


def _reordered(old):
    keys = [q["key"] for q in old]
    order = list(old)
    i = keys.index("why")
    order[i - 1], order[i] = order[i], order[i - 1]
    return _renumbered(order)


def _retyped(old):
    return [{**q, "type": "ces"} if q["key"] == "score" else q for q in old]


def _new_options(old):
    options = [
        {"value": "relay", "label": {"en": "Pickup locker", "fr": "Consigne"}},
        {"value": "home", "label": {"en": "Home delivery", "fr": "À domicile"}},
    ]
    return [{**q, "options": options} if q["key"] == "carrier" else q for q in old]


def _new_prompt(old):
    prompt = {"en": "Rate our checkout", "fr": "Notez notre paiement"}
    return [{**q, "prompt": prompt} if q["key"] == "score" else q for q in old]


NEW_EN = OLD_EN | {"q_score": "5", "q_why": "Fast and friendly."}
EDITS = {
    "add": Edit(add_a_question, _added, NEW_EN | {"q_city": "Lyon"}, ["Your city"]),
    "remove": Edit(
        remove_a_question,
        _removed,
        {k: v for k, v in NEW_EN.items() if k != "q_carrier"},
        old_words=[CARRIER["prompt"]["en"], "Relay point"],
    ),
    "reorder": Edit(reorder_questions, _reordered, NEW_EN),
    # 6 is no CSAT score (1-5): the new version asks a CES (1-7).
    "retype": Edit(retype_a_question, _retyped, NEW_EN | {"q_score": "6"}),
    # The new customer picks "relay" too: the same value, labelled by its own version.
    "options": Edit(change_options, _new_options, NEW_EN, ["Pickup locker"], ["Relay point"]),
    "prompt": Edit(
        change_a_prompt, _new_prompt, NEW_EN, ["Rate our checkout"], [SCORE_PROMPT["en"]]
    ),
}


# --- what the views and exports show --------------------------------------------------------


def text_of(client, url: str) -> str:
    reply = client.get(url)
    assert reply.status_code == 200, url
    return reply.get_data(as_text=True)


def shows(html: str, text: str) -> bool:
    return str(escape(text)) in html


def answers_csv(client, journey) -> dict[int, list[dict]]:
    """The answers CSV download, as rows by response id."""
    reply = client.get(f"/journeys/{journey.id}/answers.csv")
    assert reply.status_code == 200
    rows = list(csv.DictReader(io.StringIO(reply.data.decode("utf-8-sig"), newline="")))
    by_response: dict[int, list[dict]] = {}
    for row in rows:
        by_response.setdefault(int(row["response_id"]), []).append(row)
    return by_response


def answers_xlsx(client, journey) -> dict[int, list[dict]]:
    """The answers sheet of the XLSX report download, as rows by response id."""
    reply = client.get(f"/journeys/{journey.id}/report.xlsx?lang=en")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.data), read_only=True)["Answers"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    by_response: dict[int, list[dict]] = {}
    for row in rows:
        record = dict(zip(header, row, strict=True))
        by_response.setdefault(int(record["response_id"]), []).append(record)
    return by_response


def customer_export(forms) -> dict:
    reply = forms.post("/admin/customers/export", {"ref": REF}, page_url="/admin/customers")
    assert reply.status_code == 200
    return json.loads(reply.data)


def quote_blocks(html: str) -> list[str]:
    return html.split('<li class="card jm-quote">')[1:]


def quote_of(html: str, text: str) -> str:
    found = [block for block in quote_blocks(html) if shows(block, text)]
    assert len(found) == 1, f"{text!r} is not quoted once"
    return found[0]


def api_store(client, headers, questionnaire, body, key):
    return client.post(
        f"/api/v1/questionnaires/{questionnaire.id}/responses",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )


@pytest.fixture
def admin(auth):
    """An administrator: designs questionnaires, reads the map and downloads customer data."""
    auth.login("admin@example.com", "admin")


@pytest.fixture
def api_headers(db_session):
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize("kind", EDITS)
def test_an_edit_makes_a_version_and_old_answers_keep_their_questions_everywhere(
    app, client, forms, admin, api_headers, db_session, kind
):
    edit = EDITS[kind]
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    invitation = an_invitation(db_session, questionnaire, customer_ref=REF)
    posted(answer_as_a_new_customer(app, questionnaire, OLD_EN, lang="en", t=invitation.token), 303)
    posted(answer_as_a_new_customer(app, questionnaire, OLD_FR, lang="fr"), 303)
    stored = api_store(client, api_headers, questionnaire, OLD_API, "order-1")
    assert stored.status_code == 201, stored.json
    old_ids = db_session.scalars(select(Response.id).order_by(Response.id)).all()
    en_id, fr_id, api_id = old_ids
    v1 = described(reload(db_session, questionnaire).versions[0])
    csv_before = answers_csv(client, journey)
    xlsx_before = answers_xlsx(client, journey)
    export_before = customer_export(forms)

    edit.make(forms, questionnaire)

    questionnaire = reload(db_session, questionnaire)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    old, new = questionnaire.versions
    assert described(old) == v1, "the answered version changed"
    assert _without_ids(described(new)) == _without_ids(edit.expected(v1))
    assert not {q.id for q in old.questions} & {q.id for q in new.questions}
    for response in db_session.scalars(select(Response).where(Response.id.in_(old_ids))):
        assert response.version_id == old.id
        assert {a.question.version_id for a in response.answers} == {old.id}

    posted(answer_as_a_new_customer(app, questionnaire, edit.new_answers, lang="en"), 303)
    new_id = db_session.scalar(select(Response.id).where(Response.id.not_in(old_ids)))
    assert db_session.get(Response, new_id).version_id == new.id

    # The response pages: each answer under its own version's prompt and option labels, in
    # the language the customer answered in.
    en_page = text_of(client, f"/responses/{en_id}")
    fr_page = text_of(client, f"/responses/{fr_id}")
    for question in QUESTIONS:
        assert shows(en_page, question["prompt"]["en"]), question["key"]
        assert shows(fr_page, question["prompt"]["fr"]), question["key"]
    assert shows(en_page, "Relay point") and shows(fr_page, "Bureau de poste")
    assert shows(en_page, "A phone case") and shows(en_page, "A charging cable")
    assert shows(fr_page, "Un câble de charge")
    for word in edit.new_words:
        assert not shows(en_page, word), word
    new_page = text_of(client, f"/responses/{new_id}")
    for question in edit.expected(v1):
        assert shows(new_page, question["prompt"]["en"]), question["key"]
    for word in edit.new_words:
        assert shows(new_page, word), word
    for word in edit.old_words:
        assert not shows(new_page, word), word
    listing = text_of(client, f"/questionnaires/{questionnaire.id}/responses")
    assert shows(listing, "Relay point") and shows(listing, "Bureau de poste")

    # The journey map's answers: each quote with its own response's score and type.
    quotes = text_of(client, f"/journeys/{journey.id}/map/answers")
    old_quote = quote_of(quotes, OLD_EN["q_why"])
    assert re.search(r"<dt>CSAT</dt><dd class=\"score\">2</dd>", old_quote)
    new_type, new_score = ("CES" if kind == "retype" else "CSAT"), edit.new_answers["q_score"]
    new_quote = quote_of(quotes, NEW_EN["q_why"])
    assert re.search(rf"<dt>{new_type}</dt><dd class=\"score\">{new_score}</dd>", new_quote)

    # The exports: the old answers' rows are what they were before the edit.
    csv_after = answers_csv(client, journey)
    xlsx_after = answers_xlsx(client, journey)
    for response_id in old_ids:
        assert csv_after[response_id] == csv_before[response_id]
        assert xlsx_after[response_id] == xlsx_before[response_id]
    old_rows = {row["question"]: row for row in csv_after[en_id]}
    assert old_rows["score"]["value"] == "2" and old_rows["carrier"]["value"] == "relay"
    assert old_rows["extras"]["value"] == "case; cable"
    assert {row["version"] for row in csv_after[en_id]} == {"1"}
    assert old_rows["score"]["question_type"] == "csat"
    new_rows = {row["question"]: row for row in csv_after[new_id]}
    assert {row["version"] for row in csv_after[new_id]} == {"2"}
    assert new_rows["score"]["question_type"] == ("ces" if kind == "retype" else "csat")
    assert customer_export(forms)["responses"] == export_before["responses"]
    answered = {a["question"]: a for a in export_before["responses"][0]["answers"]}
    assert answered["score"]["prompt"] == SCORE_PROMPT["en"]
    assert answered["score"]["type"] == "csat" and answered["carrier"]["choice"] == "relay"

    # The API: replaying the old request gives the old response as it was stored.
    again = api_store(client, api_headers, questionnaire, OLD_API, "order-1")
    assert again.status_code == 201 and again.json == stored.json
    assert again.json["version"] == 1 and again.json["answers"] == OLD_API["answers"]
    assert db_session.get(Response, api_id).version_id == old.id

    db_session.expire_all()
    assert rollups.differences(db_session) == []


def test_a_second_edit_of_the_new_version_makes_no_third(app, forms, admin, db_session):
    questionnaire = a_live_shop_questionnaire(db_session)
    posted(answer_as_a_new_customer(app, questionnaire, OLD_EN, lang="en"), 303)
    v1 = described(reload(db_session, questionnaire).versions[0])
    for make in (change_a_prompt, change_options, reorder_questions, add_a_question):
        make(forms, questionnaire)
    questionnaire = reload(db_session, questionnaire)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    assert described(questionnaire.versions[0]) == v1
    assert _without_ids(described(questionnaire.versions[1])) == _without_ids(
        _added(_reordered(_new_options(_new_prompt(v1))))
    )


def test_an_interview_keeps_the_guide_it_was_recorded_with(forms, admin, db_session):
    guide = an_interview_guide(db_session)
    felt = next(q for q in guide.current_version.questions if q.key == "felt")
    old_prompt = dict(felt.prompt)
    url = f"/questionnaires/{guide.id}/interviews/new"
    note = {"language": "en", "interviewee": "P07"}
    posted(forms.post(url, {**note, "q_felt": "Relieved", "submission_key": submission_key()}))
    spec = {
        "key": "felt",
        "type": "long_text",
        "prompt": {"en": "How did it feel?", "fr": "Ressenti ?"},
    }
    posted(forms.post(f"/questionnaires/{guide.id}/questions/felt/edit", form_of(spec)))
    posted(forms.post(url, {**note, "q_felt": "Anxious", "submission_key": submission_key()}))
    old_id, new_id = db_session.scalars(select(Response.id).order_by(Response.id)).all()
    guide = reload(db_session, guide)
    assert [v.number for v in guide.versions] == [1, 2]
    assert guide.versions[0].questions[1].prompt == old_prompt
    old_page = text_of(forms.client, f"/responses/{old_id}")
    assert shows(old_page, old_prompt["en"]) and not shows(old_page, "How did it feel?")
    new_page = text_of(forms.client, f"/responses/{new_id}")
    assert shows(new_page, "How did it feel?") and not shows(new_page, old_prompt["en"])


def test_pain_point_quotes_of_a_removed_question_stay(app, forms, admin, db_session):
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    posted(answer_as_a_new_customer(app, questionnaire, OLD_EN, lang="en"), 303)
    before = pain_points(db_session, journey, Filters())
    assert any(OLD_EN["q_why"] in [q.text for q in row.quotes] for row in before)
    posted(
        forms.post(
            f"/questionnaires/{questionnaire.id}/questions/why/delete",
            page_url=f"/questionnaires/{questionnaire.id}",
        )
    )
    db_session.expire_all()
    after = pain_points(db_session, journey, Filters())
    assert [(r.theme_key, [q.text for q in r.quotes]) for r in after] == [
        (r.theme_key, [q.text for q in r.quotes]) for r in before
    ]
    page = text_of(forms.client, f"/journeys/{journey.id}/pain-points?min_n=1")
    assert shows(page, OLD_EN["q_why"])


# --- the journey map and its drop-off across versions ----------------------------------------


def scores(app, questionnaire, values):
    for value in values:
        answers = {"q_score": str(value), "q_why": "ok"}
        posted(answer_as_a_new_customer(app, questionnaire, answers, lang="en"), 303)


def both_sources(session, journey):
    """The map and drop-off from the rollups and from the answers; checks they agree."""
    from_rollups = journey_map(session, journey, Filters(), min_n=1)
    from_answers = journey_map(session, journey, Filters(), min_n=1, use_rollups=False)
    assert (from_rollups.source, from_answers.source) == ("rollups", "answers")
    reach = drop_off(session, journey, Filters())
    assert reach == drop_off(session, journey, Filters(), use_rollups=False)
    return from_rollups, from_answers, reach


def reached(reach, key: str) -> int:
    (found,) = reach
    return next(r.answered for r in found.questions if r.key == key)


def test_the_map_counts_a_question_across_versions_when_key_and_type_stay(
    app, forms, admin, db_session
):
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    scores(app, questionnaire, [2, 5])
    change_a_prompt(forms, questionnaire)
    scores(app, questionnaire, [4, 5, 1])
    assert [v.number for v in reload(db_session, questionnaire).versions] == [1, 2]
    db_session.expire_all()
    for result in both_sources(db_session, journey)[:2]:
        cell = result.cell(questionnaire.stage_id, questionnaire.touchpoint_id)
        assert (cell.n, cell.csat.n) == (5, 5)
        assert cell.csat.value == pytest.approx(60.0)  # 4, 5, 5 of 2, 5, 4, 5, 1
        assert cell.ces.n == 0
    (found,) = both_sources(db_session, journey)[2]
    assert (found.started, found.completed) == (5, 5)
    assert reached([found], "score") == 5 and reached([found], "why") == 5


@pytest.mark.parametrize("how", ["edited", "removed and added again"])
def test_a_retyped_question_is_not_merged_with_its_old_type(app, forms, admin, db_session, how):
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    scores(app, questionnaire, [2, 5, 4])
    if how == "edited":
        retype_a_question(forms, questionnaire)
    else:
        url = f"/questionnaires/{questionnaire.id}/questions/score/delete"
        posted(forms.post(url, page_url=f"/questionnaires/{questionnaire.id}"))
        add = forms.post(
            f"/questionnaires/{questionnaire.id}/questions/new",
            form_of(QUESTIONS[0], type="ces"),
        )
        posted(add)
    questionnaire = reload(db_session, questionnaire)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    assert [q.type for q in questionnaire.versions[0].questions if q.key == "score"] == ["csat"]
    assert [q.type for q in questionnaire.versions[1].questions if q.key == "score"] == ["ces"]
    scores(app, questionnaire, [6, 7])
    db_session.expire_all()
    from_rollups, from_answers, reach = both_sources(db_session, journey)
    for result in (from_rollups, from_answers):
        cell = result.cell(questionnaire.stage_id, questionnaire.touchpoint_id)
        assert cell.n == 5
        # The CSAT counts the three 1-5 answers of version 1 only...
        assert cell.csat.n == 3 and cell.csat.value == pytest.approx(200 / 3)
        # ...and the CES the two 1-7 answers of version 2 only.
        assert cell.ces.n == 2 and cell.ces.mean == pytest.approx(6.5)
        assert result.total.ces.mean == pytest.approx(6.5) and result.total.csat.n == 3
    # The drop-off lists the current questions: its CES was answered twice, not five times.
    assert reached(reach, "score") == 2
    assert reached(reach, "why") == 5
    page = text_of(forms.client, f"/journeys/{journey.id}/map?min_n=1")
    assert re.search(r"<code>score</code> 2\b", page)


def test_the_drop_off_of_a_key_that_changed_type_twice_counts_the_current_type(
    app, forms, admin, db_session
):
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    scores(app, questionnaire, [2])  # v1: CSAT
    retype_a_question(forms, questionnaire)
    scores(app, questionnaire, [6, 7, 1])  # v2: CES
    url = f"/questionnaires/{questionnaire.id}/questions/score/edit"
    posted(forms.post(url, form_of(QUESTIONS[0])))  # v3: CSAT again
    scores(app, questionnaire, [5, 4])
    assert [v.number for v in reload(db_session, questionnaire).versions] == [1, 2, 3]
    db_session.expire_all()
    from_rollups, from_answers, reach = both_sources(db_session, journey)
    # Versions 1 and 3 ask the same CSAT: counted together; version 2's CES apart.
    assert reached(reach, "score") == 3
    for result in (from_rollups, from_answers):
        cell = result.cell(questionnaire.stage_id, questionnaire.touchpoint_id)
        assert (cell.csat.n, cell.ces.n) == (3, 3)
        assert cell.ces.mean == pytest.approx(14 / 3)


def test_period_filters_keep_versions_apart_too(app, forms, admin, db_session):
    journey = a_journey(db_session)
    questionnaire = a_live_shop_questionnaire(db_session, journey)
    scores(app, questionnaire, [1, 2])
    retype_a_question(forms, questionnaire)
    scores(app, questionnaire, [7])
    db_session.expire_all()
    today = db_session.scalar(select(Response.submitted_at).limit(1)).date()
    week = Filters(date_from=today - timedelta(days=6), date_to=today, language="en")
    for use_rollups in (True, False):
        result = journey_map(db_session, journey, week, min_n=1, use_rollups=use_rollups)
        cell = result.cell(questionnaire.stage_id, questionnaire.touchpoint_id)
        assert (cell.csat.n, cell.ces.n, cell.ces.mean) == (2, 1, 7.0)
        (found,) = drop_off(db_session, journey, week, use_rollups=use_rollups)
        assert reached([found], "score") == 1


def test_a_page_opened_before_a_retype_does_not_store_its_score_under_the_new_type(
    app, forms, admin, db_session
):
    questionnaire = a_live_shop_questionnaire(db_session)
    scores(app, questionnaire, [3])  # answered: the retype makes version 2
    browser = app.test_client()
    url = f"/s/{questionnaire.slug}?lang=en"
    page = browser.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    shown = re.search(r'name="version" value="(\d+)"', page).group(1)
    retype_a_question(forms, questionnaire)
    reply = browser.post(
        url,
        data={
            "csrf_token": token,
            "submission_key": submission_key(),
            "version": shown,
            "q_score": "2",
        },
    )
    assert reply.status_code == 303
    db_session.expire_all()
    ces = next(
        q for q in reload(db_session, questionnaire).versions[1].questions if q.key == "score"
    )
    stored = db_session.scalars(select(Response).where(Response.version_id == ces.version_id))
    # The customer read "How satisfied... 1-5" and picked 2: it must not count as a CES 2.
    assert [a.number for r in stored for a in r.answers if a.question_id == ces.id] == []
    csat = next(
        q for q in reload(db_session, questionnaire).versions[0].questions if q.key == "score"
    )
    kept = db_session.scalars(select(Answer).where(Answer.question_id == csat.id)).all()
    assert sorted(a.number for a in kept) == [2, 3]  # stored as the CSAT it was
