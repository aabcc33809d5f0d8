"""What each SurveyJS element and property becomes here, or why it stays behind.

One table per kind of thing a survey holds (elements, question properties, pages and panels,
survey settings); every reason is shown to the researcher in the import report: an English
`Message`, which the import page translates.
"""

from __future__ import annotations

import re

from ..messages import N_
from ..question_types import LONG_TEXT_MAX, SHORT_TEXT_MAX

CHOICE_TYPES = {
    "radiogroup": "single_choice",
    "dropdown": "single_choice",
    "checkbox": "multi_choice",
}
TEXT_TYPES = {"text": ("short_text", SHORT_TEXT_MAX), "comment": ("long_text", LONG_TEXT_MAX)}

UNMAPPED_ELEMENTS = {
    "boolean": N_("a yes/no question has no equivalent type; add a single choice question"),
    "matrix": N_("a grid of questions has no equivalent type; add one question per row"),
    "matrixdropdown": N_("a grid of questions has no equivalent type; add one question per cell"),
    "matrixdynamic": N_("a table filled row by row has no equivalent type"),
    "multipletext": N_("several text boxes in one question; add one text question per box"),
    "html": N_("static text between questions; Parcours shows questions only"),
    "expression": N_("a value computed from other answers, not a question"),
    "image": N_("a picture, not a question"),
    "imagepicker": N_("choices shown as pictures have no equivalent type"),
    "file": N_("Parcours does not collect files"),
    "signaturepad": N_("Parcours does not collect signatures"),
    "ranking": N_("ranking choices in order has no equivalent type"),
    "tagbox": N_("a multi-select drop-down; a checkbox question would import as multiple choice"),
    "paneldynamic": N_("a group of questions repeated by the respondent has no equivalent"),
}

CONDITIONS = N_("Parcours has no conditions on choices")
OTHER = N_("an “Other” choice with its own text box has no equivalent; add an option if needed")
WHY_NOT = {
    "visible": N_("the question was hidden; here it is shown"),
    # visibleIf is read by surveyjs_conditions, which reports what it cannot map.
    "enableIf": N_("Parcours has no conditions on answering; it can always be answered"),
    "requiredIf": N_("Parcours has no conditions on answering; only isRequired counts"),
    "validators": N_("only the question type's own checks apply"),
    "defaultValue": N_("answers start empty"),
    "defaultValueExpression": N_("answers start empty"),
    "correctAnswer": N_("quiz scoring is not supported"),
    "hasOther": OTHER,
    "showOtherItem": OTHER,
    "otherText": OTHER,
    "otherPlaceholder": OTHER,
    "otherErrorText": OTHER,
    "hasNone": N_("a “None” choice is not added; add an option if needed"),
    "showNoneItem": N_("a “None” choice is not added; add an option if needed"),
    "noneText": N_("a “None” choice is not added; add an option if needed"),
    "hasSelectAll": N_("there is no “Select all” choice"),
    "showSelectAllItem": N_("there is no “Select all” choice"),
    "selectAllText": N_("there is no “Select all” choice"),
    "hasComment": N_("there is no extra comment box; add a text question"),
    "showCommentArea": N_("there is no extra comment box; add a text question"),
    "choicesByUrl": N_("Parcours does not load choices from a web address"),
    "choicesFromQuestion": N_("Parcours does not copy choices from another question"),
    "choicesVisibleIf": CONDITIONS,
    "choicesEnableIf": CONDITIONS,
    "maxSelectedChoices": N_("the number of ticked choices is not limited"),
    "minSelectedChoices": N_("the number of ticked choices is not limited"),
    "readOnly": N_("every question can be answered"),
    "valueName": N_("answers are stored under the question key"),
    "setValueIf": N_("Parcours has no answer logic"),
    "setValueExpression": N_("Parcours has no answer logic"),
    "resetValueIf": N_("Parcours has no answer logic"),
    "inputMask": N_("Parcours has no input masks"),
    "maskType": N_("Parcours has no input masks"),
    "maskSettings": N_("Parcours has no input masks"),
}
CONTAINER_WHY_NOT = {
    "title": N_("Parcours pages and panels have no title; their questions follow in order"),
    "description": N_(
        "Parcours pages and panels have no description; their questions follow in order"
    ),
    "visibleIf": N_(
        "Parcours has no conditions on a page or panel; its questions are always shown"
    ),
    "visible": N_("it was hidden; its questions are shown"),
}
SURVEY_WHY_NOT = {
    "triggers": N_("Parcours has no survey logic"),
    "calculatedValues": N_("Parcours has no computed values"),
    "completedHtml": N_("Parcours shows its own thank-you page"),
    "completedHtmlOnCondition": N_("Parcours shows its own thank-you page"),
    "navigateToUrl": N_("Parcours shows its own thank-you page"),
    "navigateToUrlOnCondition": N_("Parcours shows its own thank-you page"),
    "completedBeforeHtml": N_("invitation links already stop second answers"),
    "cookieName": N_("invitation links already stop second answers"),
    "maxTimeToFinish": N_("answering has no time limit"),
    "maxTimeToFinishPage": N_("answering has no time limit"),
    "firstPageIsStarted": N_("there is no start page"),
}
DISPLAY = N_("display settings; Parcours lays out its survey page its own way")

RATING_PROPERTIES = {
    "rateMin",
    "rateMax",
    "rateCount",
    "rateStep",
    "rateValues",
    "minRateDescription",
    "maxRateDescription",
    "mininumRateDescription",
    "maximumRateDescription",
}

# Hints in a rating's name, title and end labels, for the scales SurveyJS cannot name.
EFFORT = re.compile(r"\b(effort\w*|eas(e|y|ier|ily)|difficult\w*|facile\w*|difficile\w*)\b")
SATISFACTION = re.compile(r"satisf|\bcsat\b")
AGREEMENT = re.compile(r"agree|d['’]accord")
