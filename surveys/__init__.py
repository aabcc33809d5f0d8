"""Parcours: collection side (journey maps, questionnaires, respondent pages, accounts)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_wtf import CSRFProtect

from . import db
from .config import default_settings, instance_secret_key, settings_from_environment

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def question_helpers() -> dict:
    """What the question templates (survey page, preview, interviews) need to draw a question."""
    from . import question_rules
    from . import question_types as qt

    return {
        "follow_up_rule": question_rules.browser_rule,
        "field_name": qt.field_name,
        "scale_of": qt.scale_of,
        "end_labels": qt.end_labels,
        "text_limit": qt.text_limit,
        "emotion_choices": qt.EMOTION_CHOICES,
    }


def create_app(test_config: dict | None = None) -> Flask:
    """The app factory: defaults < instance/config.py < environment (< test config)."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PARCOURS_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_settings(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(settings_from_environment())
    else:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    db.init_app(app)
    csrf.init_app(app)

    from . import (
        admin,
        api,
        auth,
        cli,
        design,
        errors,
        health,
        i18n,
        input_guard,
        insight,
        jobs,
        respond,
        security,
        web,
    )

    input_guard.init_app(app)
    i18n.init_app(app)  # the page's language, catalogs and locale formats
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(design.bp)
    app.register_blueprint(insight.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(admin.bp)  # admins: users, audit log, customers' data
    app.register_blueprint(health.bp)  # load-balancer probes
    api.init_app(app)
    errors.init_app(app)
    security.init_app(app)  # headers, secret key check, login limits
    app.jinja_env.globals.update(question_helpers())
    cli.init_app(app)
    jobs.init_app(app)  # background work: `jobs` commands, report and failed-jobs pages
    return app
