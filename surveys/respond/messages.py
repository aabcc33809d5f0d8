"""The words of the customer's pages, in French and English."""

from __future__ import annotations

from flask import request

MESSAGES = {
    "en": {
        "submit": "Send my answers",
        "required_mark": "required",
        "optional": "optional",
        "errors_intro": "Some answers need your attention:",
        "required": "Please answer this question.",
        "one_value": "Please give one answer only.",
        "not_a_number": "Please choose a number on the scale.",
        "out_of_range": "Please choose a value on the scale.",
        "unknown_choice": "Please choose one of the options.",
        "too_long": "This answer is too long: {limit} characters at most.",
        "chars_max": "{limit} characters at most",
        "thanks_title": "Thank you!",
        "thanks_body": "Your answers have been saved. You can close this page.",
        "already_title": "Already answered",
        "already_body": "Your answers to this questionnaire were already saved. Thank you!",
        "closed_title": "This questionnaire is closed",
        "closed_body": "It no longer accepts answers. Thank you for your interest.",
        "expired_title": "This link has expired",
        "expired_body": "The invitation is no longer valid. Thank you for your interest.",
        "invalid_link_title": "This link is not valid",
        "invalid_link_body": "Check that the whole link was copied from your email.",
        "expired_form": "Your page had expired. We kept your answers: please send them again.",
        "unavailable": "We could not save your answers just now. They are all still here: "
        "please send them again in a minute.",
        "unavailable_title": "Unavailable for a moment",
        "unavailable_page": "This page cannot be shown just now. Please try again in a minute.",
        "language": "Language",
        "preview": "Preview: answers sent from this page are checked but not saved.",
        "preview_ok": "Preview: these answers are valid. Nothing was saved.",
        "scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "privacy": "Your answers are used only to improve our service.",
    },
    "fr": {
        "submit": "Envoyer mes réponses",
        "required_mark": "obligatoire",
        "optional": "facultatif",
        "errors_intro": "Certaines réponses demandent votre attention :",
        "required": "Merci de répondre à cette question.",
        "one_value": "Merci de ne donner qu'une réponse.",
        "not_a_number": "Merci de choisir un nombre sur l'échelle.",
        "out_of_range": "Merci de choisir une valeur sur l'échelle.",
        "unknown_choice": "Merci de choisir une des options proposées.",
        "too_long": "Cette réponse est trop longue : {limit} caractères au maximum.",
        "chars_max": "{limit} caractères au maximum",
        "thanks_title": "Merci !",
        "thanks_body": "Vos réponses ont bien été enregistrées. Vous pouvez fermer cette page.",
        "already_title": "Déjà répondu",
        "already_body": "Vos réponses à ce questionnaire ont déjà été enregistrées. Merci !",
        "closed_title": "Ce questionnaire est clos",
        "closed_body": "Il n'accepte plus de réponses. Merci de votre intérêt.",
        "expired_title": "Ce lien a expiré",
        "expired_body": "L'invitation n'est plus valable. Merci de votre intérêt.",
        "invalid_link_title": "Ce lien n'est pas valide",
        "invalid_link_body": "Vérifiez que le lien de votre e-mail a été copié en entier.",
        "expired_form": "Votre page avait expiré. Nous avons gardé vos réponses : "
        "merci de les envoyer à nouveau.",
        "unavailable": "Nous n'avons pas pu enregistrer vos réponses pour l'instant. Elles sont "
        "toutes conservées ici : merci de les envoyer à nouveau dans une minute.",
        "unavailable_title": "Indisponible pour un instant",
        "unavailable_page": "Cette page ne peut pas s'afficher pour l'instant. Merci de "
        "réessayer dans une minute.",
        "language": "Langue",
        "preview": "Aperçu : les réponses envoyées depuis cette page sont vérifiées mais "
        "pas enregistrées.",
        "preview_ok": "Aperçu : ces réponses sont valides. Rien n'a été enregistré.",
        "scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "privacy": "Vos réponses servent uniquement à améliorer notre service.",
    },
}


def choose_language(available: list[str], fallback: str | None = None) -> str:
    """?lang= first, then the browser's Accept-Language, then `fallback` (an invitation's
    language) when the browser asks for none of ours, then the questionnaire's first."""
    asked = request.values.get("lang", "")
    if asked in available:
        return asked
    best = request.accept_languages.best_match(available)
    if best:
        return best
    return fallback if fallback in available else available[0]


def translator(language: str):
    catalogue = MESSAGES.get(language, MESSAGES["en"])

    def t(key: str, **values) -> str:
        text = catalogue.get(key) or MESSAGES["en"][key]
        return text.format(**values) if values else text

    return t
