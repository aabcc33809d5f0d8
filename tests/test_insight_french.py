"""The CX lead's pages and reports in French: words, names and figures the French way.

A French reader gets the journey map, the drill-down, the pain points, the PDF and XLSX
reports (direct or prepared by a worker) in French, with "80,0 %" and "+0,30"; English
stays the default. On these pages `lang` is the language switch; the language of the
answers is filtered with `answer_language`.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from builders import a_journey, a_live_questionnaire
from openpyxl import load_workbook
from sqlalchemy import select
from test_journey_map import live, map_url, respond
from test_pain_points import a_shop_with_pain, ten_days

from feedback import locale_format
from feedback.exports import ReportLanguage, write_report
from feedback.exports.answers import ANSWER_COLUMNS
from feedback.exports.csv_report import PAIN_POINT_COLUMNS
from feedback.filters import Filters
from surveys.i18n import TRANSLATIONS
from surveys.jobs.report_jobs import render_report, request_report
from surveys.models import ReportFile, User

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
NBSP = re.compile("[\u00a0\u202f]")  # the French spaces inside "80,0 %" and "1 234"


def plain(text: str) -> str:
    """Text with the non-breaking spaces French figures carry made plain spaces."""
    return NBSP.sub(" ", text)


def french() -> ReportLanguage:
    return ReportLanguage.load("fr", TRANSLATIONS)


# --- the journey map --------------------------------------------------------------------


def a_map_with_figures(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score, polarity, emotion in ((5, 0.6, "joy"), (4, 0.4, "trust"), (3, 0.0, "joy")):
        respond(db_session, q, score, "fine", emotion, polarity, "joy", ["high_price"])
    respond(db_session, q, 1, "late", "anger", -0.4, "anger", ["late_delivery"], language="fr")
    return q


def test_the_map_speaks_french_to_a_french_browser(client, auth, db_session):
    journey = a_journey(db_session)
    a_map_with_figures(db_session, journey)
    auth.login_as_cx_lead()
    html = plain(client.get(map_url(journey, min_n=1), headers=FRENCH).get_data(as_text=True))
    assert '<html lang="fr">' in html
    assert "<h1>Carte du parcours</h1>" in html and "Courbe des émotions" in html
    assert "Journey map" not in html and "Stage total" not in html
    assert "Total de l'étape" in html and "Point de contact" in html
    # Stage, touchpoint, theme and emotion names in French.
    assert '<th scope="col">Achat</th>' in html and ">Paiement</th>" in html
    assert "Prix élevé 3" in html and "Livraison en retard 1" in html
    assert "Content·e" in html and "Ressenti" in html
    # CSAT 2 of 4 (4 or 5): 50 %; mean sentiment (0.6 + 0.4 + 0 - 0.4) / 4 = +0,15.
    assert "<dt>CSAT</dt><dd>50 %" in html
    assert "+0,15" in html and "+0.15" not in html
    assert "<strong>4</strong> réponses." in html
    assert "Les cellules de moins de 1 réponse affichent « pas assez de réponses »." in html
    # Drop-off: 4 of 4 started responses completed.
    assert "(100 %)" in html


def test_the_map_stays_english_by_default(client, auth, db_session):
    journey = a_journey(db_session)
    a_map_with_figures(db_session, journey)
    auth.login_as_cx_lead()
    html = client.get(map_url(journey, min_n=1)).get_data(as_text=True)
    assert '<html lang="en">' in html and "<h1>Journey map</h1>" in html
    assert '<th scope="col">Purchase</th>' in html and "High price 3" in html
    assert "<dt>CSAT</dt><dd>50%" in html and "+0.15" in html
    assert "<strong>4</strong> responses." in html


def test_the_period_and_deltas_are_written_the_french_way(client, auth, db_session):
    journey = a_journey(db_session)
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score, days_ago in ((5, 1), (5, 2), (1, 12)):
        respond(db_session, q, score, days_ago=days_ago)
    period = ten_days()
    auth.login_as_cx_lead()
    url = map_url(journey, min_n=1, **{"from": period.date_from, "to": period.date_to})
    html = plain(client.get(url, headers=FRENCH).get_data(as_text=True))
    assert "comparées aux 10 jours précédents" in html
    assert "+100 pt" in html
    start, end = (plain(locale_format.day(d, "fr")) for d in (period.date_from, period.date_to))
    assert f"<strong>2</strong> réponses du {start} au {end}, comparées" in html


def test_on_the_map_lang_is_the_page_language_and_answer_language_filters(client, auth, db_session):
    journey = a_journey(db_session)
    a_map_with_figures(db_session, journey)  # three English answers, one French
    auth.login_as_cx_lead()
    switched = plain(client.get(map_url(journey, min_n=1, lang="fr")).get_data(as_text=True))
    assert "<h1>Carte du parcours</h1>" in switched and "<strong>4</strong> réponses." in switched
    filtered = plain(
        client.get(map_url(journey, min_n=1, answer_language="fr")).get_data(as_text=True)
    )
    assert "<strong>1</strong> réponse." in filtered  # the switch was remembered: French
    assert '<option value="fr" selected>Français</option>' in filtered
    assert "answer_language=fr" in filtered and "lang=fr&" not in filtered


def test_the_emotion_curve_chart_is_french(client, auth, db_session):
    journey = a_journey(db_session)
    a_map_with_figures(db_session, journey)
    auth.login_as_cx_lead()
    svg = client.get(f"/journeys/{journey.id}/map/emotion-curve.svg", headers=FRENCH)
    text = svg.get_data(as_text=True)
    assert "Sentiment moyen" in text and "Achat" in text and "aucune réponse" in text
    assert "+0,15" in text and "−1,00" in text
    english = client.get(f"/journeys/{journey.id}/map/emotion-curve.svg").get_data(as_text=True)
    assert "Mean sentiment" in english and "+0.15" in english


def test_the_answers_drill_down_is_french(client, auth, db_session):
    journey = a_journey(db_session)
    q = a_map_with_figures(db_session, journey)
    auth.login_as_cx_lead()
    url = f"/journeys/{journey.id}/map/answers?stage={q.stage_id}&touchpoint={q.touchpoint_id}"
    html = plain(client.get(url, headers=FRENCH).get_data(as_text=True))
    assert "<strong>4</strong> réponses texte, les plus récentes en premier." in html
    assert "Achat" in html and "Paiement" in html and "Page 1 sur 1" in html
    assert "négatif (-0,40)" in html and "En colère" in html
    bad = client.get(url.replace(f"stage={q.stage_id}", "stage=999999"), headers=FRENCH)
    assert bad.status_code == 400 and "Étape inconnue pour ce parcours." in bad.get_data(
        as_text=True
    )


def test_filter_errors_are_french(client, auth, db_session):
    journey = a_journey(db_session)
    auth.login_as_cx_lead()
    for params, message in (
        ({"from": "2026-10-31", "to": "2026-10-01"}, "Le début de la période est après sa fin."),
        ({"from": "hier"}, "« from » doit être une date comme 2026-11-23."),
        ({"min_n": "0"}, "doit être un nombre entier de 1 à 100000"),
        ({"answer_language": "de"}, "La langue doit être fr ou en."),
    ):
        response = client.get(map_url(journey, **params), headers=FRENCH)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


# --- pain points ------------------------------------------------------------------------


def test_the_pain_points_page_is_french(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    period = ten_days()
    auth.login_as_cx_lead()
    url = f"/journeys/{shop.journey.id}/pain-points?from={period.date_from}&to={period.date_to}"
    html = plain(client.get(url, headers=FRENCH).get_data(as_text=True))
    assert "<h1>Points de douleur</h1>" in html and "Gravité" in html
    assert "Livraison en retard" in html and "Frais cachés" in html
    assert "Achat · Paiement" in html and "Achat · toute l'étape" in html
    # late_delivery at checkout: 4 of 5 text answers, negativity 0.35, severity 1.4,
    # share 50 % before, 80 % now: +30,0 pts.
    assert "<td>80,0 %</td>" in html and "<td>0,35</td>" in html
    assert '<td class="score">1,4</td>' in html
    assert '↑ <span class="muted">+30,0 pts</span>' in html
    assert "4 sur 5 réponses texte (80,0 %)" in html
    assert "ouvert" in html and "rapport (PDF)" in html
    english = client.get(url).get_data(as_text=True)
    assert "<td>80.0%</td>" in english and "Late delivery" in english


def test_follow_up_messages_are_french(client, auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    page = f"/journeys/{shop.journey.id}/pain-points"
    form = {
        "journey_id": shop.journey.id,
        "stage_id": shop.checkout.stage_id,
        "touchpoint_id": shop.checkout.touchpoint_id,
        "theme": "late_delivery",
        "owner": "Nadia",
        "status": "in_progress",
        "note": "",
        "back": "",
    }
    reply = forms.post(
        "/pain-points/follow-up", form, page_url=page, headers=FRENCH, follow_redirects=True
    )
    html = reply.get_data(as_text=True)
    assert "Suivi enregistré." in html and "en cours" in html and "responsable Nadia" in html
    refused = forms.post(
        "/pain-points/follow-up", {**form, "status": "done"}, page_url=page, headers=FRENCH
    )
    assert refused.status_code == 422
    assert "Le statut doit être ouvert, en cours ou résolu." in refused.get_data(as_text=True)


# --- reports ----------------------------------------------------------------------------


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(plain(text).split())


def test_the_pdf_report_is_french(db_session, tmp_path):
    shop = a_shop_with_pain(db_session)
    data = b"".join(write_report(db_session, shop.journey, ten_days(), "pdf", lang=french()))
    text = pdf_text(data, tmp_path)
    assert "Rapport des points de douleur" in text and shop.journey.name in text
    assert "Période : du " in text and "Filtres : aucun" in text
    assert "Livraison en retard — Achat · Paiement" in text
    assert "Gravité 1,4 · 4 sur 5 réponses texte (80,0 %) · négativité moyenne 0,35" in text
    assert "en hausse (+30,0 pts)" in text
    assert "Sentiment moyen par étape et point de contact" in text
    assert "Méthode" in text and "Gravité = fréquence x négativité moyenne" in text
    assert "Marge d'erreur (95 %)" in text and "1,96 x sqrt" in text
    assert "Pain-point report" not in text and "Severity" not in text


def test_the_pdf_report_stays_english_by_default(db_session, tmp_path):
    shop = a_shop_with_pain(db_session)
    text = pdf_text(b"".join(write_report(db_session, shop.journey, ten_days(), "pdf")), tmp_path)
    assert "Pain-point report" in text and "Rapport" not in text
    assert "Severity 1.4 · 4 of 5 text answers (80.0%) · mean negativity 0.35" in text


def test_a_direct_pdf_download_follows_the_page_language(client, auth, db_session, tmp_path):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    reply = client.get(f"/journeys/{shop.journey.id}/report.pdf", headers=FRENCH)
    assert reply.status_code == 200
    assert "Rapport des points de douleur" in pdf_text(reply.data, tmp_path)


def french_workbook(data: bytes):
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Synthèse", "Points de douleur", "Réponses"]
    return book


def test_the_xlsx_report_is_french(db_session):
    shop = a_shop_with_pain(db_session)
    data = b"".join(write_report(db_session, shop.journey, ten_days(), "xlsx", lang=french()))
    book = french_workbook(data)
    summary = [row[:2] for row in book["Synthèse"].iter_rows(values_only=True)]
    assert summary[0][0] == f"Rapport des points de douleur : {shop.journey.name}"
    assert ("Parcours", f"#{shop.journey.id} {shop.journey.name}") in summary
    assert ("Filtres", "aucun") in summary and ("Points de douleur", 3) in summary
    header = [c.value for c in book["Points de douleur"][1]]
    assert header[:2] == ["Rang", "Étape"] or header[0] == "Rang"
    assert {"Thème", "Fréquence", "Part (%)", "Gravité", "Tendance", "Statut"} <= set(header)
    assert "Verbatim 1" in header and "rank" not in header
    first = dict(zip(header, [c.value for c in book["Points de douleur"][2]], strict=True))
    assert first["Thème"] == "Livraison en retard" and first["Tendance"] == "en hausse"
    assert first["Statut"] == "ouvert" and first["Part (%)"] == 80.0
    answers = [c.value for c in book["Réponses"][1]]
    assert answers[0] == "N° de réponse" and "Métadonnées" in answers
    assert len(answers) == len(ANSWER_COLUMNS)
    first = dict(zip(answers, [c.value for c in book["Réponses"][2]], strict=True))
    assert first["Tonalité"] == "négatif" and first["Émotion"] == "Colère"


def test_the_xlsx_report_keeps_its_english_column_names_in_english(db_session):
    shop = a_shop_with_pain(db_session)
    data = b"".join(write_report(db_session, shop.journey, ten_days(), "xlsx"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Pain points", "Answers"]
    assert tuple(c.value for c in book["Pain points"][1]) == PAIN_POINT_COLUMNS


def test_the_pain_point_csv_keeps_english_columns_in_french(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    reply = client.get(f"/journeys/{shop.journey.id}/report.csv", headers=FRENCH)
    lines = reply.data.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(PAIN_POINT_COLUMNS)
    answers = client.get(f"/journeys/{shop.journey.id}/answers.csv", headers=FRENCH)
    assert answers.data.decode("utf-8-sig").splitlines()[0] == ",".join(ANSWER_COLUMNS)


# --- the report prepared in the background -----------------------------------------------


def requester(db_session) -> User:
    return db_session.scalar(select(User).where(User.role == "cx_lead")) or db_session.scalar(
        select(User)
    )


def test_the_background_job_renders_in_the_requester_s_language(app, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    user = requester(db_session)
    with app.test_request_context("/"):  # without REDIS_URL the job runs inline, here
        french_row = request_report(
            db_session, shop.journey, ten_days(), "xlsx", 30, user, language="fr"
        )
        english_row = request_report(db_session, shop.journey, ten_days(), "xlsx", 30, user)
    db_session.expire_all()
    french_workbook(db_session.get(ReportFile, french_row.id).content)
    english = load_workbook(io.BytesIO(db_session.get(ReportFile, english_row.id).content))
    assert english.sheetnames == ["Summary", "Pain points", "Answers"]


def test_a_job_queued_before_languages_renders_english(app, auth, db_session, tmp_path):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    user = requester(db_session)
    row = ReportFile(
        journey_id=shop.journey.id,
        requested_by_id=user.id,
        fmt="pdf",
        filters=Filters().to_query(),
        min_n=30,
        status="pending",
        file_name="old.pdf",
    )
    from surveys.models import utcnow

    row.created_at = row.expires_at = utcnow()
    db_session.add(row)
    db_session.commit()
    with app.app_context():
        assert render_report(row.id) > 0  # one argument, as queued before
    db_session.expire_all()
    assert "Pain-point report" in pdf_text(db_session.get(ReportFile, row.id).content, tmp_path)


def test_a_french_reader_s_report_is_prepared_in_french_by_a_worker(
    redis_app, db_session, redis_db
):
    from conftest import AuthActions, Forms
    from rq import Queue, SimpleWorker

    from surveys.jobs import queue as job_queue

    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    journey_id = questionnaire.journey_id
    client = redis_app.test_client()
    forms = Forms(client)
    AuthActions(client, forms, db_session).login_as_cx_lead()
    list_url = f"/journeys/{journey_id}/pain-points"
    reply = forms.post(f"/journeys/{journey_id}/reports", {"fmt": "xlsx"}, list_url, headers=FRENCH)
    assert reply.status_code == 303
    status_url = reply.headers["Location"]
    waiting = plain(client.get(status_url, headers=FRENCH).get_data(as_text=True))
    assert "En préparation : cette page s'actualise d'elle-même toutes les 3 secondes" in waiting
    queue = Queue(job_queue.QUEUE_NAME, connection=redis_db)
    (job,) = queue.get_jobs()
    assert job.args[1] == "fr"
    with redis_app.app_context():
        SimpleWorker([queue], connection=redis_db).work(burst=True)
    ready = client.get(status_url, headers=FRENCH).get_data(as_text=True)
    assert "Télécharger" in ready and "Conservé jusqu'au" in ready
    french_workbook(client.get(status_url + "/download").data)
