/* Error summaries (templates/forms/error_summary.html and the error messages
   of templates/includes/messages.html): when a page arrives with one, focus
   moves to it, so a screen reader reads it out and the keyboard starts from
   it; each of its links moves to its field with the field's label in view.
   Without this script the page still works: the summary is announced
   (role="alert") and its links jump to the fields. */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // The question a field answers: its label, or a group's legend.
  function questionOf(field) {
    var group = field.closest("fieldset");
    if (group && (field.type === "radio" || field.type === "checkbox") && group.querySelector("legend")) {
      return group.querySelector("legend");
    }
    return (field.id && document.querySelector('label[for="' + CSS.escape(field.id) + '"]')) || field;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    questionOf(field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // Focused before the browser applies any autofocus, which then stays away.
  focusSummary(document);
  // A form posted to "page#fragment" comes back scrolled to the fragment,
  // which takes the focus from the summary: give it back, unless the person
  // has already moved on.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (!document.activeElement || document.activeElement === document.body) {
        focusSummary(document);
      }
    }, 0);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    focusSummary(event.detail.target);
  });
})();
