"""`flask deliver-webhooks`: send the webhook deliveries that are due (safe from cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .delivery import SWEEP_BATCH, deliver_due, due_ids


@click.command("deliver-webhooks")
@click.option(
    "--limit", default=SWEEP_BATCH * 4, show_default=True, help="At most this many deliveries."
)
@with_appcontext
def deliver_webhooks(limit: int) -> None:
    """Send the webhook deliveries that are due: new ones and retries.

    Two runs at once never send the same delivery twice (each is claimed first).
    """
    due = len(due_ids(limit))
    delivered = deliver_due(limit)
    click.echo(f"{delivered} of {due} due webhook deliveries delivered.")
