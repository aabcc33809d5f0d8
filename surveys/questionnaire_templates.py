"""Stage templates: one click gives a good CSAT, NPS or CES questionnaire, or an interview guide.

Prompts are written per stage; the interview guide asks the three questions the reference
articles put to every moment of truth: what the customer felt, what they did, and what
made them hesitate.
"""

from __future__ import annotations

# What the customer was doing at each stage, to finish a sentence in each language.
STAGE_ACTIVITY = {
    "awareness": ("discovering our brand", "vous avez découvert notre marque"),
    "attention": ("discovering our brand", "vous avez découvert notre marque"),
    "discovery": ("looking for a solution", "vous avez cherché une solution"),
    "interest": ("learning about our offer", "vous vous êtes renseigné·e sur notre offre"),
    "consideration": ("comparing the options", "vous avez comparé les options"),
    "desire": ("choosing a product", "vous avez choisi un produit"),
    "decision": ("making your decision", "vous avez pris votre décision"),
    "purchase": ("placing your order", "vous avez passé commande"),
    "action": ("placing your order", "vous avez passé commande"),
    "retention": ("receiving and using your order", "vous avez reçu et utilisé votre commande"),
    "post_purchase": ("receiving and using your order", "vous avez reçu et utilisé votre commande"),
    "advocacy": ("talking about us around you", "vous avez parlé de nous autour de vous"),
}

CSAT_PROMPTS = {
    "awareness": (
        "How satisfied are you with how you discovered us?",
        "Êtes-vous satisfait·e de la façon dont vous nous avez découverts ?",
    ),
    "consideration": (
        "How satisfied are you with the information you found to choose?",
        "Êtes-vous satisfait·e des informations trouvées pour faire votre choix ?",
    ),
    "purchase": (
        "How satisfied are you with your purchase experience?",
        "Êtes-vous satisfait·e de votre expérience d'achat ?",
    ),
    "retention": (
        "How satisfied are you with your experience since your order?",
        "Êtes-vous satisfait·e de votre expérience depuis votre commande ?",
    ),
    "advocacy": (
        "Overall, how satisfied are you with us?",
        "Dans l'ensemble, êtes-vous satisfait·e de nous ?",
    ),
}

CES_TASKS = {
    "awareness": ("to find what I was looking for", "de trouver ce que je cherchais"),
    "consideration": (
        "to compare the options and find the information I needed",
        "de comparer les options et de trouver les informations utiles",
    ),
    "purchase": ("to complete my purchase", "de finaliser mon achat"),
    "retention": ("to get my request handled", "de faire traiter ma demande"),
    "advocacy": ("to share my opinion", "de donner mon avis"),
}

# The built-in touchpoints after “de”, with the article French wants.
FRENCH_OF = {
    "site web": "du site web",
    "application mobile": "de l'application mobile",
    "e-mail": "de nos e-mails",
    "réseaux sociaux": "de nos réseaux sociaux",
    "recherche et publicité": "de nos annonces",
    "service client téléphonique": "du service client téléphonique",
    "chat d'assistance": "du chat d'assistance",
    "magasin": "du magasin",
    "paiement": "du paiement",
    "livraison": "de la livraison",
    "emballage": "de l'emballage",
    "produit": "du produit",
    "facturation": "de la facturation",
    "retours": "des retours",
    "programme de fidélité": "du programme de fidélité",
    "sites d'avis": "des sites d'avis",
    "bouche-à-oreille": "du bouche-à-oreille",
    "appel commercial": "de l'appel commercial",
    "démonstration": "de la démonstration",
    "page tarifs": "de la page tarifs",
    "prise en main": "de la prise en main",
}

NPS_PROMPT = (
    "How likely are you to recommend us to a friend or colleague?",
    "Quelle est la probabilité que vous nous recommandiez à un ami ou un collègue ?",
)
WHY_PROMPT = (
    "What is the main reason for your answer?",
    "Quelle est la principale raison de votre réponse ?",
)
EMOTION_PROMPT = (
    "How did you feel at that moment?",
    "Comment vous êtes-vous senti·e à ce moment-là ?",
)

TITLES = {
    "csat": ("Your satisfaction: {stage}", "Votre satisfaction : {stage}"),
    "nps": ("Would you recommend us?", "Nous recommanderiez-vous ?"),
    "ces": ("Was it easy? {stage}", "Était-ce facile ? {stage}"),
    "interview": ("Interview guide: {stage}", "Guide d'entretien : {stage}"),
    "custom": ("Questionnaire: {stage}", "Questionnaire : {stage}"),
}

INTRO = (
    "A few quick questions, under a minute. Thank you for your help.",
    "Quelques questions rapides, moins d'une minute. Merci pour votre aide.",
)


def _pair(en: str, fr: str) -> dict:
    return {"en": en, "fr": fr}


def french_of(touchpoint_fr: str) -> str:
    """“du paiement”, “de la livraison”: the touchpoint after “de”, with its article."""
    return FRENCH_OF.get(touchpoint_fr.lower(), f"de « {touchpoint_fr} »")


def _context_prompt(
    stage_key: str, stage_names: tuple[str, str], touchpoint: tuple[str, str] | None
) -> tuple[str, str]:
    """The opening question of an interview: the last time the customer lived this step."""
    if touchpoint:
        return (
            f"Tell me about your last experience of our {touchpoint[0].lower()}. What happened?",
            f"Racontez-moi votre dernière expérience {french_of(touchpoint[1])}. "
            "Que s'est-il passé ?",
        )
    if stage_key in STAGE_ACTIVITY:
        en, fr = STAGE_ACTIVITY[stage_key]
        return (
            f"Tell me about the last time you were {en}. What happened?",
            f"Racontez-moi la dernière fois que {fr}. Que s'est-il passé ?",
        )
    return (
        f"Tell me about your last experience at the “{stage_names[0]}” step. What happened?",
        f"Racontez-moi votre dernière expérience à l'étape « {stage_names[1]} ». "
        "Que s'est-il passé ?",
    )


def score_question(
    kind: str,
    stage_key: str,
    stage_names: tuple[str, str],
    touchpoint: tuple[str, str] | None = None,
) -> dict:
    """The main scored question of a CSAT, NPS or CES questionnaire for a stage."""
    if kind == "nps":
        prompt = _pair(*NPS_PROMPT)
    elif kind == "csat":
        if touchpoint:
            prompt = _pair(
                f"How satisfied are you with the {touchpoint[0].lower()}?",
                f"Êtes-vous satisfait·e {french_of(touchpoint[1])} ?",
            )
        else:
            en, fr = CSAT_PROMPTS.get(
                stage_key,
                (
                    f"How satisfied are you with the {stage_names[0].lower()} step?",
                    f"Êtes-vous satisfait·e de l'étape « {stage_names[1].lower()} » ?",
                ),
            )
            prompt = _pair(en, fr)
    else:
        en_task, fr_task = CES_TASKS.get(
            stage_key, ("to do what I came for", "de faire ce que je voulais")
        )
        prompt = _pair(
            f"The company made it easy for me {en_task}.",
            f"L'entreprise m'a permis facilement {fr_task}.",
        )
    return {"key": kind, "type": kind, "prompt": prompt, "required": True}


def _follow_up(key: str, kind: str, low: int, high: int, prompt: tuple[str, str], **more) -> dict:
    """An optional question asked only when the score is from `low` to `high`."""
    return {
        "key": key,
        "type": "long_text",
        "prompt": _pair(*prompt),
        "required": False,
        "show_if": {"question": kind, "op": "between", "min": low, "max": high},
        **more,
    }


QUOTE_OPTIONS = [
    {"value": "yes", "label": _pair("Yes, with my first name", "Oui, avec mon prénom")},
    {"value": "anonymous", "label": _pair("Yes, without my name", "Oui, sans mon nom")},
    {"value": "no", "label": _pair("No", "Non")},
]


def follow_up_questions(kind: str) -> list[dict]:
    """What a stage survey asks only after some scores: detractors what to fix first and
    promoters whether we may quote them (NPS), what went wrong after a CSAT of 1-2, and what
    made it hard after a CES of 1-3 (1 is “strongly disagree” that it was easy)."""
    if kind == "nps":
        return [
            _follow_up(
                "fix",
                kind,
                0,
                6,
                ("What should we fix first?", "Que devrions-nous corriger en priorité ?"),
            ),
            _follow_up(
                "quote",
                kind,
                9,
                10,
                ("May we quote your answer?", "Pouvons-nous citer votre réponse ?"),
                type="single_choice",
                options=QUOTE_OPTIONS,
            ),
        ]
    if kind == "csat":
        return [
            _follow_up(
                "went_wrong", kind, 1, 2, ("What went wrong?", "Qu'est-ce qui s'est mal passé ?")
            )
        ]
    if kind == "ces":
        return [
            _follow_up(
                "hard",
                kind,
                1,
                3,
                ("What made it hard?", "Qu'est-ce qui vous a compliqué la tâche ?"),
            )
        ]
    return []


def survey_questions(
    kind: str,
    stage_key: str,
    stage_names: tuple[str, str],
    touchpoint: tuple[str, str] | None = None,
) -> list[dict]:
    """Score, why, emotion, then the follow-ups of the score (on the same page)."""
    return [
        score_question(kind, stage_key, stage_names, touchpoint),
        {"key": "why", "type": "long_text", "prompt": _pair(*WHY_PROMPT), "required": False},
        {"key": "emotion", "type": "emotion", "prompt": _pair(*EMOTION_PROMPT), "required": False},
        *follow_up_questions(kind),
    ]


def interview_questions(
    stage_key: str, stage_names: tuple[str, str], touchpoint: tuple[str, str] | None = None
) -> list[dict]:
    """An interview guide for the moments of truth of a stage."""
    guide = [
        ("context", *_context_prompt(stage_key, stage_names, touchpoint)),
        (
            "felt",
            "What did you feel at that moment? What was the strongest emotion?",
            "Qu'avez-vous ressenti à ce moment-là ? Quelle a été l'émotion la plus forte ?",
        ),
        (
            "did",
            "What exactly did you do, step by step? Which channels did you use?",
            "Qu'avez-vous fait exactement, étape par étape ? Par quels canaux êtes-vous passé·e ?",
        ),
        (
            "hesitated",
            "What made you hesitate, or nearly give up?",
            "Qu'est-ce qui vous a fait hésiter, ou presque abandonner ?",
        ),
        (
            "expected",
            "What did you expect, and how did it compare with what happened?",
            "Qu'attendiez-vous, et comment cela s'est-il comparé à ce qui s'est passé ?",
        ),
        (
            "change",
            "If you could change one thing at this step, what would it be?",
            "Si vous pouviez changer une chose à cette étape, laquelle serait-ce ?",
        ),
    ]
    questions = [
        {"key": key, "type": "long_text", "prompt": _pair(en, fr), "required": False}
        for key, en, fr in guide
    ]
    questions.append(
        {
            "key": "emotion",
            "type": "emotion",
            "prompt": _pair("Dominant emotion observed", "Émotion dominante observée"),
            "required": False,
        }
    )
    return questions


def template_for(
    kind: str,
    stage_key: str,
    stage_names: tuple[str, str],
    touchpoint: tuple[str, str] | None = None,
) -> dict:
    """Title, intro and questions of the stage template of `kind`."""
    where = touchpoint or stage_names
    title_en, title_fr = TITLES[kind]
    title = _pair(title_en.format(stage=where[0]), title_fr.format(stage=where[1]))
    if kind == "interview":
        return {
            "title": title,
            "intro": _pair("", ""),
            "questions": interview_questions(stage_key, stage_names, touchpoint),
        }
    if kind == "custom":
        return {"title": title, "intro": _pair(*INTRO), "questions": []}
    return {
        "title": title,
        "intro": _pair(*INTRO),
        "questions": survey_questions(kind, stage_key, stage_names, touchpoint),
    }
