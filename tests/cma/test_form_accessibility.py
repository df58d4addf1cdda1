"""Forms as every page renders them (templates/forms/): labels that say
"(required)" in words, errors tied to their fields, and an error summary at
the top that links to each field; error messages apart from the rest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string

from cma.templatetags.a11y import error_summary_items, in_words


class ReportForm(forms.Form):
    name = forms.CharField(label="Your name")
    email = forms.EmailField(label="Email", help_text="We reply here.")
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "Access"), ("b", "Billing")], widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label="Notes", required=False)
    statement = forms.CharField(label="Statement", required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    REQUIRED_TO_SUBMIT = ["statement"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notes") == "clash":
            raise forms.ValidationError("These details clash with another report.")
        return cleaned


def _label(html: str, for_id: str) -> str:
    match = re.search(rf'<label for="{for_id}">(.*?)</label>', html, re.S)
    assert match, f"no label for {for_id}"
    return match.group(1)


def test_required_fields_say_so_in_words():
    html = ReportForm().render()

    # The control carries `required`, which screen readers announce: the words are for the
    # eye, beside the label, which stays the field's name.
    assert _label(html, "id_name") == "Your name"
    assert (
        '<label for="id_name">Your name</label> <span class="required-mark" aria-hidden="true">(required)</span>'
        in html
    )
    assert re.search(r'<input type="text" name="name"[^>]* required', html)
    # A group of checkboxes has no `required` to announce: the words are read too.
    assert re.search(r'<legend>Topics <span class="required-mark">\(required\)</span></legend>', html)
    # Needed to submit, though a draft may leave it empty.
    assert _label(html, "id_statement") == 'Statement <span class="required-mark">(required)</span>'
    assert _label(html, "id_notes") == "Notes"


def test_an_unbound_or_valid_form_has_no_error_summary():
    assert "error-summary" not in ReportForm().render()
    valid = ReportForm({"name": "Ana", "email": "ana@example.org", "topics": ["a"], "token": "t"})
    assert valid.is_valid()
    assert "error-summary" not in valid.render()


def test_each_error_is_tied_to_its_field_and_starts_with_a_word():
    html = ReportForm({"name": "", "email": "nope", "topics": [], "token": "t"}).render()

    email = re.search(r"<input [^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="id_email_helptext id_email_error"' in email
    assert re.search(
        r'<ul class="errorlist" id="id_email_error"><li><span class="error-prefix">Error:</span> Enter a valid email',
        html,
    )
    # A group: the fieldset is described by its error.
    assert re.search(r'<fieldset aria-describedby="id_topics_error">', html)


def test_the_summary_lists_every_error_in_order_linked_to_its_field():
    form = ReportForm({"name": "", "email": "nope", "topics": [], "notes": "clash", "token": ""})
    html = form.render()

    summary = re.search(
        r'<div class="error-summary" id="id_error-summary" role="alert" tabindex="-1".*?</div>', html, re.S
    )
    assert summary, html
    summary = summary.group(0)
    assert 'aria-labelledby="id_error-summary-title"' in summary and "data-error-summary" in summary
    assert '<h2 class="error-summary-title" id="id_error-summary-title">There are 5 problems</h2>' in summary
    items = re.findall(r"<li>(.*?)</li>", summary)
    assert items == [
        "These details clash with another report.",
        '<a href="#id_name">Your name: This field is required.</a>',
        '<a href="#id_email">Email: Enter a valid email address.</a>',
        '<a href="#id_topics_0">Topics: This field is required.</a>',  # the first box of the group
        "Token: This field is required.",  # hidden: nothing to move to
    ]
    assert html.index("error-summary") < html.index('name="name"')  # at the top of the form


def test_a_prefixed_form_has_its_own_summary_id():
    form = ReportForm({"audience-name": ""}, prefix="audience")
    assert 'id="id_audience-error-summary"' in form.render()
    assert [item.target for item in error_summary_items(form)][:1] == ["id_audience-name"]


def test_error_messages_become_a_summary_and_the_others_stay_a_status():
    messages = [
        Message(constants.SUCCESS, "Your profile was saved."),
        Message(constants.ERROR, "Registration for this event has closed."),
    ]
    html = render_to_string("includes/messages.html", {"messages": messages})

    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1".*?</div>', html, re.S).group(0)
    assert "data-error-summary" in summary and "There is a problem" in summary
    assert "Registration for this event has closed." in summary and "saved" not in summary
    status = re.search(r'<ul class="messages" role="status".*?</ul>', html, re.S).group(0)
    assert "Your profile was saved." in status and "closed" not in status


def test_only_successes_make_no_summary():
    html = render_to_string("includes/messages.html", {"messages": [Message(constants.INFO, "Marked 3 as read.")]})
    assert "error-summary" not in html and "Marked 3 as read." in html


@pytest.mark.parametrize(
    "duration, words",
    [
        (timedelta(seconds=30), "30 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(minutes=90), "1 hour"),
        (timedelta(days=3), "3 days"),
    ],
)
def test_time_limits_in_words(duration, words):
    assert in_words(duration) == words


def test_a_list_that_cannot_be_left_empty_keeps_its_label_as_its_name():
    class ZoneForm(forms.Form):
        zone = forms.ChoiceField(label="Time zone", choices=[("UTC", "UTC"), ("America/Chicago", "Chicago")])

    html = ZoneForm().render()
    assert _label(html, "id_zone") == "Time zone"
    assert (
        '<label for="id_zone">Time zone</label> <span class="required-mark" aria-hidden="true">(required)</span>'
        in html
    )
