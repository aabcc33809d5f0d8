"""Customers' personal data (emails, phone numbers, IBANs, card numbers) out of stored answers
and exports: redacted before storage when the questionnaire asks (the default), redacted in
every export unless an administrator asks for raw=1, and every export download audited."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from builders import a_live_questionnaire, a_user, answer_as_a_new_customer
from openpyxl import load_workbook
from sqlalchemy import select
from test_pain_points import a_shop_with_pain, a_text_answer, ten_days

from feedback import pain_points as pp
from feedback.exports import answers_csv, write_report
from surveys import scoring
from surveys.api_tokens import issue_token
from surveys.jobs.report_jobs import request_report
from surveys.models import Answer, AuditEvent, TextAnalysis, User

PERSONAL = (
    "Remboursez-moi, écrivez à jean.dupont@gmail.com ou au 06 12 34 56 78, "
    "IBAN FR76 3000 6000 0112 3456 7890 189, carte 4111 1111 1111 1111."
)
REDACTED = "Remboursez-moi, écrivez à [email] ou au [phone], IBAN [iban], carte [card]."
INJECTED = '=HYPERLINK("mailto:jean.dupont@gmail.com","Cliquez")'
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
SECRETS = ("jean.dupont@gmail.com", "06 12 34 56 78", "FR76 3000", "4111 1111")


@pytest.fixture
def analysed(monkeypatch):
    """The texts the analysis reads, in order."""
    seen: list[str] = []
    analyze = scoring.analyze

    def reading(text, *args, **kwargs):
        seen.append(text)
        return analyze(text, *args, **kwargs)

    monkeypatch.setattr(scoring, "analyze", reading)
    return seen


def stored_texts(session) -> list[str]:
    session.expire_all()
    return [t for t in session.scalars(select(Answer.text).where(Answer.text.is_not(None)))]


# --- before storage -------------------------------------------------------------------------


def test_the_survey_page_stores_and_analyses_the_redacted_text(app, db_session, analysed):
    questionnaire = a_live_questionnaire(db_session, "csat")
    assert questionnaire.redact_pii  # on by default
    reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "2", "q_why": PERSONAL})
    assert reply.status_code == 303
    assert stored_texts(db_session) == [REDACTED]
    assert analysed == [REDACTED]
    assert db_session.scalar(select(TextAnalysis)) is not None


def test_an_invalid_form_gives_back_what_was_typed(app, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "99", "q_why": PERSONAL})
    assert reply.status_code == 422
    assert "jean.dupont@gmail.com" in reply.get_data(as_text=True)
    assert stored_texts(db_session) == []


def test_with_redaction_off_the_text_is_stored_as_typed(app, db_session, analysed):
    questionnaire = a_live_questionnaire(db_session, "csat")
    questionnaire.redact_pii = False
    db_session.commit()
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "2", "q_why": PERSONAL})
    assert stored_texts(db_session) == [PERSONAL]
    assert analysed == [PERSONAL]


def test_the_api_stores_the_redacted_text(client, db_session, analysed):
    questionnaire = a_live_questionnaire(db_session, "csat")
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    body = {"language": "fr", "answers": {"csat": 2, "why": PERSONAL}}
    reply = client.post(
        f"/api/v1/questionnaires/{questionnaire.id}/responses",
        json=body,
        headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "order-1"},
    )
    assert reply.status_code == 201, reply.json
    assert reply.json["answers"]["why"] == REDACTED
    assert stored_texts(db_session) == [REDACTED]
    assert analysed == [REDACTED]
    again = client.post(
        f"/api/v1/questionnaires/{questionnaire.id}/responses",
        json=body,
        headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "order-1"},
    )
    assert again.status_code == 201 and again.json == reply.json  # a replay, still one


# --- exports ------------------------------------------------------------------------------


def a_shop_with_personal_data(session):
    """The pain fixture plus answers stored before redaction (or with it off)."""
    shop = a_shop_with_pain(session)
    a_text_answer(session, shop.checkout, PERSONAL, -0.95, ["late_delivery"], language="fr")
    a_text_answer(session, shop.checkout, INJECTED, -0.99, ["late_delivery"])
    a_text_answer(
        session, shop.checkout, "+33 6 12 34 56 78 jamais rappelé", -0.9, ["late_delivery"]
    )
    a_text_answer(session, shop.checkout, "-06 12 34 56 78", -0.1)
    interview = shop.answers["interview"]
    interview.text = "She gave her number, 06 12 34 56 78, and waited two weeks."
    pain_point = pp.follow_up_for(
        session, shop.journey, shop.checkout.stage_id, shop.checkout.touchpoint_id, "late_delivery"
    )
    session.flush()
    pp.attach_evidence(session, pain_point, interview.id, None)
    session.commit()
    return shop


def read_csv(data: bytes) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_answers_csv_is_redacted_and_formulas_stay_neutralised(db_session):
    shop = a_shop_with_personal_data(db_session)
    data = b"".join(answers_csv(db_session, shop.journey, ten_days()))
    values = [r["value"] for r in read_csv(data)]
    assert REDACTED in values
    assert '\'=HYPERLINK("mailto:[email]","Cliquez")' in values  # redacted, still inert
    assert "[phone] jamais rappelé" in values  # no longer starts with +: nothing to neutralise
    assert "'-[phone]" in values  # still starts with -: still neutralised
    no_secret_in(data.decode("utf-8"))
    raw = read_csv(b"".join(answers_csv(db_session, shop.journey, ten_days(), raw=True)))
    assert PERSONAL in [r["value"] for r in raw] and "'" + INJECTED in [r["value"] for r in raw]


def test_the_pain_point_report_redacts_quotes_and_evidence_in_every_format(db_session, tmp_path):
    shop = a_shop_with_personal_data(db_session)
    rows = read_csv(b"".join(write_report(db_session, shop.journey, ten_days(), "csv")))
    late = next(r for r in rows if r["theme"] == "late_delivery" and r["touchpoint"] == "checkout")
    quotes = [late[f"quote_{i}"] for i in (1, 2, 3)]
    assert quotes == [
        '\'=HYPERLINK("mailto:[email]","Cliquez")',
        REDACTED,
        "[phone] jamais rappelé",
    ]
    book = load_workbook(
        io.BytesIO(b"".join(write_report(db_session, shop.journey, ten_days(), "xlsx")))
    )
    cells = [
        c for name in book.sheetnames for row in book[name].iter_rows(values_only=True) for c in row
    ]
    texts = [c for c in cells if isinstance(c, str)]
    assert REDACTED in texts and '\'=HYPERLINK("mailto:[email]","Cliquez")' in texts
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    no_secret_in("\n".join(texts))
    pdf = pdf_text(b"".join(write_report(db_session, shop.journey, ten_days(), "pdf")), tmp_path)
    assert "[email]" in pdf and "She gave her number, [phone]" in pdf
    no_secret_in(pdf)


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


# --- downloads: raw for administrators only, every one audited --------------------------------


def exports(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


def test_downloads_are_redacted_and_audited(client, auth, db_session):
    shop = a_shop_with_personal_data(db_session)
    auth.login_as_cx_lead()
    base = f"/journeys/{shop.journey.id}"
    answers = client.get(f"{base}/answers.csv?answer_language=fr")
    # The event is committed before the stream is read.
    (event,) = exports(db_session)
    assert answers.status_code == 200 and answers.is_streamed
    assert event.actor_email == "cx@example.com" and event.target == f"journey:{shop.journey.id}"
    assert event.details == {
        "journey_id": shop.journey.id,
        "journey": shop.journey.name,
        "export": "answers",
        "format": "csv",
        "filters": {"lang": "fr"},
        "raw": False,
    }
    assert f"journey-{shop.journey.id}-answers.csv" in answers.headers["Content-Disposition"]
    body = answers.get_data(as_text=True)
    assert REDACTED in body
    no_secret_in(body)
    client.get(f"{base}/answers.csv?segment.channel=web").close()
    assert exports(db_session)[-1].details["filters"] == {"segment.channel": "web"}
    for fmt in ("csv", "xlsx", "pdf"):
        reply = client.get(f"{base}/report.{fmt}?from=2000-01-01&min_n=5")
        assert reply.status_code == 200
    events = exports(db_session)
    assert [(e.details["export"], e.details["format"]) for e in events] == [
        ("answers", "csv"),
        ("answers", "csv"),
        ("pain-points", "csv"),
        ("pain-points", "xlsx"),
        ("pain-points", "pdf"),
    ]
    assert events[2].details["filters"] == {"from": "2000-01-01"}
    assert events[2].details["min_n"] == 5 and not any(e.details["raw"] for e in events)


def test_raw_is_refused_to_anyone_but_an_administrator(client, auth, db_session):
    shop = a_shop_with_personal_data(db_session)
    base = f"/journeys/{shop.journey.id}"
    for login in (auth.login_as_cx_lead, auth.login):
        login()
        for url in (
            f"{base}/answers.csv?raw=1",
            f"{base}/report.csv?raw=1",
            f"{base}/report.pdf?raw=yes",
        ):
            reply = client.get(url)
            assert reply.status_code == 403, url
            assert "Only administrators can download raw exports" in reply.get_data(as_text=True)
        french = client.get(f"{base}/report.xlsx?raw=1", headers=FRENCH)
        assert french.status_code == 403
        assert "Seuls les administrateurs" in french.get_data(as_text=True)
        assert client.get(f"{base}/answers.csv?raw=0").status_code == 200
        auth.logout()
    assert [e.details["raw"] for e in exports(db_session)] == [False, False]


def test_an_administrator_downloads_raw_and_it_is_audited(client, auth, db_session):
    shop = a_shop_with_personal_data(db_session)
    auth.login("admin@example.com", "admin")
    base = f"/journeys/{shop.journey.id}"
    answers = client.get(f"{base}/answers.csv?raw=1")
    assert f"journey-{shop.journey.id}-answers-raw.csv" in answers.headers["Content-Disposition"]
    values = [r["value"] for r in read_csv(answers.data)]
    assert PERSONAL in values
    assert "'" + INJECTED in values  # raw, and still neutralised
    report = read_csv(client.get(f"{base}/report.csv?raw=1").data)
    assert PERSONAL in [r["quote_2"] for r in report]
    redacted = read_csv(client.get(f"{base}/report.csv").data)
    assert REDACTED in [r["quote_2"] for r in redacted]
    events = exports(db_session)
    assert [(e.actor_email, e.details["export"], e.details["raw"]) for e in events] == [
        ("admin@example.com", "answers", True),
        ("admin@example.com", "pain-points", True),
        ("admin@example.com", "pain-points", False),
    ]


def test_a_bad_filter_is_refused_and_not_audited(client, auth, db_session):
    shop = a_shop_with_personal_data(db_session)
    auth.login_as_cx_lead()
    assert client.get(f"/journeys/{shop.journey.id}/answers.csv?to=never").status_code == 400
    assert client.get(f"/journeys/{shop.journey.id}/report.csv?from=x").status_code == 400
    assert exports(db_session) == []


# --- reports prepared in the background ---------------------------------------------------------


def test_a_prepared_report_is_redacted_and_its_download_audited(app, client, auth, db_session):
    shop = a_shop_with_personal_data(db_session)
    auth.login_as_cx_lead()
    user = db_session.scalar(select(User).where(User.role == "cx_lead"))
    with app.test_request_context("/"):  # without REDIS_URL the job runs inline, here
        row = request_report(db_session, shop.journey, ten_days(), "xlsx", 30, user)
    assert exports(db_session) == []  # prepared, not yet downloaded
    reply = client.get(f"/reports/{row.id}/download")
    assert reply.status_code == 200
    book = load_workbook(io.BytesIO(reply.data))
    texts = [c for n in book.sheetnames for r in book[n].iter_rows(values_only=True) for c in r]
    assert REDACTED in texts
    (event,) = exports(db_session)
    assert event.details["background"] is True and event.details["report_id"] == row.id
    assert (event.details["format"], event.details["raw"]) == ("xlsx", False)
    assert event.details["filters"] == ten_days().to_query()
    assert client.get(f"/reports/{row.id}/download?raw=1").status_code == 403
    auth.logout()
    auth.login("admin@example.com", "admin")
    raw = client.get(f"/reports/{row.id}/download?raw=1")  # prepared reports are redacted
    assert raw.status_code == 302 and f"/journeys/{shop.journey.id}/report.xlsx?" in raw.location
    assert "raw=1" in raw.location and "from=" in raw.location
    assert len(exports(db_session)) == 1  # a redirect is no download


def test_a_raw_report_is_never_queued_nor_kept(client, auth, forms, db_session):
    shop = a_shop_with_personal_data(db_session)
    list_url = f"/journeys/{shop.journey.id}/pain-points"
    auth.login_as_cx_lead()
    token = forms.token(list_url)
    refused = client.post(
        f"/journeys/{shop.journey.id}/reports?raw=1", data={"fmt": "pdf", "csrf_token": token}
    )
    assert refused.status_code == 403
    auth.logout()
    auth.login("admin@example.com", "admin")
    token = forms.token(list_url)
    reply = client.post(
        f"/journeys/{shop.journey.id}/reports?answer_language=fr&raw=1",
        data={"fmt": "xlsx", "csrf_token": token},
    )
    assert reply.status_code == 302
    assert "/report.xlsx?" in reply.location and "raw=1" in reply.location
    assert "answer_language=fr" in reply.location
    raw = client.get(reply.location)
    assert "raw.xlsx" in raw.headers["Content-Disposition"]
    (event,) = exports(db_session)
    assert event.details["raw"] is True and event.details["filters"] == {"lang": "fr"}


def test_with_a_worker_a_raw_report_is_rendered_in_the_request(redis_app, db_session, redis_db):
    from conftest import AuthActions, Forms
    from rq import Queue

    from surveys.jobs import queue as job_queue
    from surveys.models import ReportFile

    shop = a_shop_with_personal_data(db_session)
    client = redis_app.test_client()
    forms = Forms(client)
    AuthActions(client, forms, db_session).login("admin@example.com", "admin")
    list_url = f"/journeys/{shop.journey.id}/pain-points"
    reply = forms.post(f"/journeys/{shop.journey.id}/reports?raw=1", {"fmt": "pdf"}, list_url)
    assert reply.status_code == 302 and "/report.pdf?" in reply.location
    assert db_session.scalar(select(ReportFile.id)) is None
    assert Queue(job_queue.QUEUE_NAME, connection=redis_db).get_jobs() == []
    queued = forms.post(f"/journeys/{shop.journey.id}/reports", {"fmt": "pdf"}, list_url)
    assert queued.status_code == 303 and "/reports/" in queued.location  # redacted: queued
