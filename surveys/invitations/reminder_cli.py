"""`flask --app surveys send-reminders [--dry-run]`: for cron, every few minutes.

Safe to run while another run (or the RQ periodic job) is sending: each reminder is claimed
before it goes (see reminders.py), so none is sent twice.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import db
from .reminders import send_reminders


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Only say what would be sent; change nothing.")
@with_appcontext
def send_reminders_command(dry_run: bool) -> None:
    """Email the reminders that are due (invitations not answered after N days)."""
    with db.new_session(current_app) as session:
        report = send_reminders(session, current_app.config, dry_run=dry_run)
    if not report.mail_enabled:
        click.echo("MAIL_SERVER is not set: reminders cannot be emailed.")
        if not dry_run:
            return
    if report.locked_out:
        click.echo("Another run is sending reminders: nothing to do.")
        return
    if report.unreachable:
        click.echo(f"Nothing sent: {report.unreachable} The next run tries again.")
    for line in report.questionnaires:
        if dry_run:
            click.echo(f"[{line.questionnaire_id}] {line.title}: {line.due} would be sent")
            continue
        details = f"{line.sent} sent"
        if line.failed:
            details += f", {line.failed} failed ({line.bounced} bounced)"
        if line.skipped:
            details += f", {line.skipped} sent by another run"
        click.echo(f"[{line.questionnaire_id}] {line.title}: {details}")
    if not report.questionnaires:
        click.echo("No reminder is due.")
    elif dry_run:
        click.echo(f"{report.due} reminders would be sent (dry run: nothing changed).")
    elif not report.unreachable:
        click.echo(f"{report.sent} reminders sent.")
