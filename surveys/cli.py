"""Command line: `flask --app surveys COMMAND` (the contract is in the design notes)."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from . import db, migrations
from .links import questionnaire_link
from .models import MIN_PASSWORD_LENGTH, ROLES, SCOPES, Questionnaire, User


def init_app(app: Flask) -> None:
    from .invitations.reminder_cli import send_reminders_command
    from .privacy import COMMANDS as privacy_commands  # purge, customer-export, customer-erase
    from .webhooks.commands import deliver_webhooks

    for command in (
        init_db,
        rebuild_rollups,
        seed_demo,
        create_user,
        analyze,
        list_questionnaires,
        export_report,
        create_token,
        *privacy_commands,
        send_reminders_command,
        deliver_webhooks,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema, and build the journey map's rollups once (safe twice)."""
    from . import rollups

    migrations.upgrade(db.engine_for(current_app))
    click.echo("Database schema is up to date.")
    with db.new_session(current_app) as session:
        if rollups.ensure_built(session):
            session.commit()
            click.echo("Journey map rollups built from the answers.")


@click.command("rebuild-rollups")
@with_appcontext
@click.option("--check", is_flag=True, help="Only compare them with the answers; exit 1 if off.")
def rebuild_rollups(check: bool) -> None:
    """Recompute the journey map's rollups from the answers (or --check them)."""
    import time

    from . import rollups

    started = time.perf_counter()
    with db.new_session(current_app) as session:
        if check:
            found = rollups.differences(session)
            for line in found[:50]:
                click.echo(line)
            if found:
                raise click.ClickException(
                    f"{len(found)} rollup figures differ from the answers: run rebuild-rollups."
                )
            click.echo("The rollups agree with the answers.")
            return
        rebuilt = rollups.rebuild(session)
        session.commit()
    click.echo(
        f"Rebuilt the rollups: {len(rebuilt.cells):,} cell rows, {len(rebuilt.counts):,} "
        f"emotion and theme rows, {sum(rebuilt.responses.values()):,} responses, in "
        f"{time.perf_counter() - started:.1f} s."
    )


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
def create_user(email: str, role: str) -> None:
    """Create an account; the password is asked, or read from PARCOURS_PASSWORD."""
    password = os.environ.get("PARCOURS_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    email = email.strip().lower()
    with db.new_session(current_app) as session:
        if session.scalar(select(User).where(func.lower(User.email) == email)):
            raise click.UsageError(f"An account with the email {email} already exists.")
        user = User(email=email, role=role)
        user.set_password(password)
        session.add(user)
        session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option(
    "--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES),
    help="Repeat for several scopes.",
)  # fmt: skip
@click.option("--name", default="", help="What the token is for, shown in the tokens list.")
def create_token(email: str, scopes: tuple[str, ...], name: str) -> None:
    """Print a new API token for EMAIL, once; only its hash is stored."""
    from .api_tokens import TokenError, issue_token

    with db.new_session(current_app) as session:
        user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.UsageError(f"No account has the email {email}.")
        try:
            _token, raw = issue_token(session, user, scopes, name or "command line")
        except TokenError as error:
            raise click.UsageError(str(error)) from None
    click.echo(raw)


@click.command("seed-demo")
@with_appcontext
@click.option("--responses", default=3000, show_default=True, help="Synthetic responses.")
@click.option("--seed", default=7, show_default=True, help="Random seed.")
def seed_demo(responses: int, seed: int) -> None:
    """Load the five-stage demo journey, live questionnaires, responses and demo accounts."""
    from .demo import demo_logins, seed_demo_data

    if responses < 0:
        raise click.UsageError("--responses must be 0 or more.")
    instance = current_app.instance_path
    with db.new_session(current_app) as session:
        summary = seed_demo_data(
            session, responses=responses, seed=seed, echo=click.echo, instance_path=instance
        )
    click.echo(summary)
    click.echo("Demo logins (kept in instance/demo-logins.txt):")
    for email, password, role in demo_logins(instance):
        click.echo(f"  {role:<10} {email}  password: {password}")


@click.command("analyze")
@with_appcontext
@click.option("--all", "rescore_all", is_flag=True, help="Re-score every text answer.")
def analyze(rescore_all: bool) -> None:
    """Score text answers not scored yet or stale (older analyzer or codebook), or --all."""
    from . import scoring

    if not scoring.analysis_available():
        raise click.ClickException("The text analysis (feedback.text) is not installed.")
    with db.new_session(current_app) as session:
        codebook = scoring.current_codebook(session)
        version = scoring.analyzer_version(codebook)
        total = scoring.count_to_score(session, rescore_all, codebook)
        with click.progressbar(length=total, label="Scoring answers", file=sys.stderr) as bar:
            done = scoring.rescore(session, rescore_all, codebook, progress=bar.update)
    click.echo(f"Scored {done} answers with analyzer {version}.")


@click.command("list-questionnaires")
@with_appcontext
def list_questionnaires() -> None:
    """A tab-separated table of questionnaires with their public links."""
    click.echo("\t".join(("id", "journey", "stage", "touchpoint", "kind", "status", "url")))
    with db.new_session(current_app) as session:
        rows = session.scalars(
            select(Questionnaire)
            .options(selectinload(Questionnaire.stage), selectinload(Questionnaire.touchpoint))
            .order_by(Questionnaire.id)
        )
        for q in rows:
            click.echo(
                "\t".join(
                    (
                        str(q.id),
                        str(q.journey_id),
                        q.stage.key,
                        q.touchpoint.key if q.touchpoint else "",
                        q.kind,
                        q.status,
                        questionnaire_link(q.slug),
                    )
                )
            )


@click.command("export-report")
@with_appcontext
@click.option("--journey", "journey_id", type=int, required=True, help="Journey id.")
@click.option(
    "--format", "fmt", type=click.Choice(("csv", "xlsx", "pdf")), required=True, help="File type."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="File.")
@click.option("--from", "date_from", default="", help="First day, e.g. 2026-10-01.")
@click.option("--to", "date_to", default="", help="Last day (included).")
@click.option("--answers", is_flag=True, help="Every answer (CSV or XLSX) instead of pain points.")
def export_report(
    journey_id: int, fmt: str, output: str, date_from: str, date_to: str, answers: bool
) -> None:
    """The pain-point report of a journey (or --answers: every answer) written to a file."""
    from feedback import exports
    from feedback.filters import FilterError, Filters

    from .models import Journey

    try:
        filters = Filters.from_query({"from": date_from, "to": date_to})
    except FilterError as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None
    if answers and fmt == "pdf":
        raise click.UsageError("--answers writes CSV or XLSX, not PDF.")
    min_n = current_app.config.get("MIN_ANSWERS_PER_CELL", 30)
    with db.new_session(current_app) as session:
        journey = session.get(Journey, journey_id)
        if journey is None:
            raise click.ClickException(f"No journey #{journey_id}.")
        if not answers:
            chunks = exports.write_report(session, journey, filters, fmt, min_n)
        elif fmt == "csv":
            chunks = exports.answers_csv(session, journey, filters)
        else:
            chunks = exports.answers_xlsx(session, journey, filters, min_n)
        size = _write_chunks(output, chunks)
        session.commit()  # "came back" flags found while reading
    click.echo(f"Wrote {output} ({size:,} bytes).")


def _write_chunks(path: str, chunks) -> int:
    size = 0
    try:
        with open(path, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
    except OSError as error:
        raise click.ClickException(f"Cannot write {path}: {error.strerror}") from None
    return size
