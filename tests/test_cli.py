"""The command line: init-db, create-user, list-questionnaires."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from builders import PASSWORD, a_draft_questionnaire, a_journey, a_live_questionnaire
from sqlalchemy import create_engine, inspect, select

from surveys import create_app
from surveys.db import engine_for
from surveys.models import Base, User


def test_init_db_is_safe_to_run_twice(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "up to date" in second.output
    tables = set(inspect(engine_for(app)).get_table_names())
    assert {"journeys", "questionnaires", "responses", "users", "alembic_version"} <= tables


def test_init_db_keeps_existing_data(runner, db_session):
    journey = a_journey(db_session)
    assert runner.invoke(args=["init-db"]).exit_code == 0
    db_session.expire_all()
    assert db_session.get(type(journey), journey.id) is not None


def test_migrations_build_exactly_the_schema_of_the_models(app):
    with engine_for(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


# create-user


def test_create_user_reads_the_password_from_the_environment(runner, db_session, monkeypatch):
    monkeypatch.setenv("PARCOURS_PASSWORD", PASSWORD)
    result = runner.invoke(args=["create-user", "Lea@Example.com", "--role", "cx_lead"])
    assert result.exit_code == 0, result.output
    user = db_session.scalars(select(User)).one()
    assert (user.email, user.role) == ("lea@example.com", "cx_lead")
    assert user.check_password(PASSWORD) and PASSWORD not in user.password_hash


def test_create_user_asks_for_the_password_twice(runner, db_session, monkeypatch):
    monkeypatch.delenv("PARCOURS_PASSWORD", raising=False)
    result = runner.invoke(
        args=["create-user", "sam@example.com", "--role", "researcher"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert db_session.scalars(select(User)).one().role == "researcher"


def test_create_user_refuses_a_short_password(runner, db_session, monkeypatch):
    monkeypatch.setenv("PARCOURS_PASSWORD", "elevenchars")  # 11: one short of ASVS's 12
    result = runner.invoke(args=["create-user", "sam@example.com", "--role", "researcher"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db_session.scalars(select(User)).all() == []


def test_create_user_refuses_a_duplicate_email(runner, auth, db_session, monkeypatch):
    auth.create_user("sam@example.com", "researcher")
    monkeypatch.setenv("PARCOURS_PASSWORD", PASSWORD)
    result = runner.invoke(args=["create-user", "SAM@example.com", "--role", "admin"])
    assert result.exit_code != 0 and "already exists" in result.output
    assert [u.role for u in db_session.scalars(select(User))] == ["researcher"]


def test_create_user_refuses_an_unknown_role(runner, db_session, monkeypatch):
    monkeypatch.setenv("PARCOURS_PASSWORD", PASSWORD)
    result = runner.invoke(args=["create-user", "sam@example.com", "--role", "boss"])
    assert result.exit_code != 0 and "boss" in result.output
    assert db_session.scalars(select(User)).all() == []


def test_created_user_can_log_in(runner, forms, monkeypatch):
    monkeypatch.setenv("PARCOURS_PASSWORD", PASSWORD)
    runner.invoke(args=["create-user", "new@example.com", "--role", "researcher"])
    response = forms.post("/login", {"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 302


# list-questionnaires


def test_list_questionnaires_prints_a_tsv_with_absolute_public_links(runner, db_session):
    live = a_live_questionnaire(db_session, "csat", "purchase", touchpoint_key="checkout")
    draft = a_draft_questionnaire(db_session, "nps", "advocacy", journey=live.journey)
    result = runner.invoke(args=["list-questionnaires"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "id\tjourney\tstage\ttouchpoint\tkind\tstatus\turl"
    rows = [line.split("\t") for line in lines[1:]]
    assert rows == [
        [
            str(live.id),
            str(live.journey_id),
            "purchase",
            "checkout",
            "csat",
            "live",
            f"http://parcours.test/s/{live.slug}",
        ],
        [
            str(draft.id),
            str(live.journey_id),
            "advocacy",
            "",
            "nps",
            "draft",
            f"http://parcours.test/s/{draft.slug}",
        ],
    ]


def test_list_questionnaires_of_an_empty_install_prints_the_header(runner):
    result = runner.invoke(args=["list-questionnaires"])
    assert result.output == "id\tjourney\tstage\ttouchpoint\tkind\tstatus\turl\n"


def test_public_link_follows_public_base_url_with_a_trailing_slash(app, runner, db_session):
    app.config["PUBLIC_BASE_URL"] = "https://survey.example.com/"
    live = a_live_questionnaire(db_session)
    output = runner.invoke(args=["list-questionnaires"]).output
    assert output.splitlines()[1].endswith(f"\thttps://survey.example.com/s/{live.slug}")


def test_fresh_database_engine_is_independent_of_the_test_database(tmp_path):
    # Guard for the test above: a second app does not share the first one's engine.
    engine = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert inspect(engine).get_table_names() == []
