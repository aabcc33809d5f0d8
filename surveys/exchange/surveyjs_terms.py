"""What each SurveyJS element and property becomes here, or why it stays behind.

One table per kind of thing a survey holds (elements, question properties, pages and panels,
survey settings); every reason is shown to the researcher in the import report.
"""

from __future__ import annotations

import re

from ..question_types import LONG_TEXT_MAX, SHORT_TEXT_MAX

CHOICE_TYPES = {
    "radiogroup": "single_choice",
    "dropdown": "single_choice",
    "checkbox": "multi_choice",
}
TEXT_TYPES = {"text": ("short_text", SHORT_TEXT_MAX), "comment": ("long_text", LONG_TEXT_MAX)}

UNMAPPED_ELEMENTS = {
    "boolean": "a yes/no question has no equivalent type; add a single choice question",
    "matrix": "a grid of questions has no equivalent type; add one question per row",
    "matrixdropdown": "a grid of questions has no equivalent type; add one question per cell",
    "matrixdynamic": "a table filled row by row has no equivalent type",
    "multipletext": "several text boxes in one question; add one text question per box",
    "html": "static text between questions; Parcours shows questions only",
    "expression": "a value computed from other answers, not a question",
    "image": "a picture, not a question",
    "imagepicker": "choices shown as pictures have no equivalent type",
    "file": "Parcours does not collect files",
    "signaturepad": "Parcours does not collect signatures",
    "ranking": "ranking choices in order has no equivalent type",
    "tagbox": "a multi-select drop-down; a checkbox question would import as multiple choice",
    "paneldynamic": "a group of questions repeated by the respondent has no equivalent",
}

CONDITIONS = "Parcours has no conditions"
OTHER = "an “Other” choice with its own text box has no equivalent; add an option if needed"
WHY_NOT = {
    "visible": "the question was hidden; here it is shown",
    "visibleIf": f"{CONDITIONS}; it is always shown",
    "enableIf": f"{CONDITIONS}; it can always be answered",
    "requiredIf": f"{CONDITIONS}; only isRequired counts",
    "validators": "only the question type's own checks apply",
    "defaultValue": "answers start empty",
    "defaultValueExpression": "answers start empty",
    "correctAnswer": "quiz scoring is not supported",
    "hasOther": OTHER,
    "showOtherItem": OTHER,
    "otherText": OTHER,
    "otherPlaceholder": OTHER,
    "otherErrorText": OTHER,
    "hasNone": "a “None” choice is not added; add an option if needed",
    "showNoneItem": "a “None” choice is not added; add an option if needed",
    "noneText": "a “None” choice is not added; add an option if needed",
    "hasSelectAll": "there is no “Select all” choice",
    "showSelectAllItem": "there is no “Select all” choice",
    "selectAllText": "there is no “Select all” choice",
    "hasComment": "there is no extra comment box; add a text question",
    "showCommentArea": "there is no extra comment box; add a text question",
    "choicesByUrl": "Parcours does not load choices from a web address",
    "choicesFromQuestion": "Parcours does not copy choices from another question",
    "choicesVisibleIf": CONDITIONS,
    "choicesEnableIf": CONDITIONS,
    "maxSelectedChoices": "the number of ticked choices is not limited",
    "minSelectedChoices": "the number of ticked choices is not limited",
    "readOnly": "every question can be answered",
    "valueName": "answers are stored under the question key",
    "setValueIf": "Parcours has no answer logic",
    "setValueExpression": "Parcours has no answer logic",
    "resetValueIf": "Parcours has no answer logic",
    "inputMask": "Parcours has no input masks",
    "maskType": "Parcours has no input masks",
    "maskSettings": "Parcours has no input masks",
}
CONTAINER_WHY_NOT = {
    "title": "Parcours shows one page; the questions follow in order",
    "description": "Parcours shows one page; the questions follow in order",
    "visibleIf": f"{CONDITIONS}; its questions are always shown",
    "visible": "it was hidden; its questions are shown",
}
SURVEY_WHY_NOT = {
    "triggers": "Parcours has no survey logic",
    "calculatedValues": "Parcours has no computed values",
    "completedHtml": "Parcours shows its own thank-you page",
    "completedHtmlOnCondition": "Parcours shows its own thank-you page",
    "navigateToUrl": "Parcours shows its own thank-you page",
    "navigateToUrlOnCondition": "Parcours shows its own thank-you page",
    "completedBeforeHtml": "invitation links already stop second answers",
    "cookieName": "invitation links already stop second answers",
    "maxTimeToFinish": "answering has no time limit",
    "maxTimeToFinishPage": "answering has no time limit",
    "firstPageIsStarted": "there is no start page",
}
DISPLAY = "display settings; Parcours lays out its survey page its own way"

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
