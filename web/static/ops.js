// Asks before an operation that cannot be undone by the user alone (a form with data-confirm), and
// only once the form's own checks have passed, so the question is never asked about a form the
// browser would refuse anyway. The question may name a field of the form in braces — "退回给
// {target}？" — and is filled with what the person chose there (the option's data-confirm-label,
// else its text). Cancelling leaves the page as it was. The page works without this script: the
// server checks every operation again.
(function () {
  "use strict";

  function chosen(form, name) {
    var field = form.elements.namedItem(name);
    if (!field) { return ""; }
    if (field instanceof HTMLSelectElement) {
      var option = field.options[field.selectedIndex];
      return option ? (option.getAttribute("data-confirm-label") || option.text).trim() : "";
    }
    if (typeof RadioNodeList !== "undefined" && field instanceof RadioNodeList) {
      var picked = Array.prototype.filter.call(field, function (f) { return f.checked; })
        .map(function (f) {
          var label = f.id && form.querySelector('label[for="' + f.id + '"]');
          return f.getAttribute("data-confirm-label") || (label ? label.textContent.trim() : f.value);
        });
      return picked.join("、");
    }
    return (field.value || "").trim();
  }

  function question(form) {
    return form.getAttribute("data-confirm").replace(/\{([\w-]+)\}/g, function (_, name) {
      return chosen(form, name);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (!form.reportValidity()) {
      event.preventDefault();
      return;
    }
    if (!window.confirm(question(form))) {
      event.preventDefault();
    }
  }, true);
}());
