// Follow-up questions in place: a fieldset with data-show-if appears when the earlier answer
// it names matches its rule. The server applies the same rules (surveys/question_rules.py);
// without this script the follow-ups that apply are asked on the next step instead.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) {
    return;
  }
  form.elements.namedItem("script").value = "1";

  function answer(field) {
    var chosen = [];
    form.querySelectorAll('[name="' + field + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        chosen.push(input.value);
      }
    });
    return chosen;
  }

  function applies(rule) {
    var chosen = answer(rule.field);
    if (rule.op === "between") {
      return chosen.some(function (value) {
        var number = Number(value);
        return value !== "" && number >= rule.min && number <= rule.max;
      });
    }
    if (rule.op === "in") {
      return chosen.some(function (value) { return rule.values.indexOf(value) !== -1; });
    }
    return false;
  }

  var followUps = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  function update() {
    followUps.forEach(function (fieldset) {
      fieldset.hidden = !applies(JSON.parse(fieldset.getAttribute("data-show-if")));
      // A hidden follow-up is never required: its line in the error summary goes too.
      var legend = fieldset.querySelector("legend");
      var link = legend && document.querySelector('.error-summary a[href="#' + legend.id + '"]');
      if (link) {
        link.parentNode.hidden = fieldset.hidden;
      }
    });
  }
  form.addEventListener("change", update);
  update();
})();
