"""What forms and pages need to be usable with a screen reader, a keyboard or
voice control: the error summary's items, error messages apart from the
rest, and time limits said in words before they run out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from allauth.account import app_settings as account_settings
from allauth.mfa import app_settings as mfa_settings
from django import forms, template
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message

register = template.Library()


@dataclass(frozen=True)
class SummaryItem:
    """One line of an error summary: the message, with the field it is about
    (`target` is the id of the control to move to; empty for the form as a whole)."""

    message: str
    label: str = ""
    target: str = ""

    @property
    def text(self) -> str:
        """'Email: Enter a valid email address.'; 'What went wrong? This field is required.'"""
        if not self.label:
            return self.message
        return (
            f"{self.label} {self.message}" if self.label.endswith(("?", ":", ".")) else f"{self.label}: {self.message}"
        )


@register.filter
def error_summary_items(form: forms.BaseForm) -> list[SummaryItem]:
    """Every error of a bound form, in the order a person meets the fields:
    the form's own errors first, then each field's, linked to that field."""
    if not form.is_bound or not form.errors:
        return []
    items = [SummaryItem(message=str(message)) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            if field.is_hidden:  # nothing to move to: say it as the form's own
                items.append(SummaryItem(message=f"{field.label}: {message}"))
            else:
                items.append(SummaryItem(message=str(message), label=str(field.label), target=_control_id(field)))
    return items


def _control_id(field: forms.BoundField) -> str:
    """The id of the control to move to: the field's own, or for a group of
    radio buttons or checkboxes (which has none) its first option's."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return str(subwidgets[0].id_for_label) if subwidgets else ""


@register.filter
def required_mark(field: forms.BoundField) -> str:
    """How a field's label says "(required)": "" when it is optional;
    "hidden" when the words are for the eye only (aria-hidden, beside the
    label, which stays the field's name): the control carries the `required`
    attribute, which screen readers announce, or cannot be left empty (a list
    without an empty choice, a file input holding a file); "text" when only
    the words can say it, so they are part of the name — a group of
    checkboxes, or a field the form's main action needs though a draft may
    leave it empty (`REQUIRED_TO_SUBMIT`, as the application has)."""
    if field.field.required:
        announced = field.form.use_required_attribute and field.field.widget.use_required_attribute(field.initial)
        return "text" if field.use_fieldset and not announced else "hidden"
    return "text" if field.name in getattr(field.form, "REQUIRED_TO_SUBMIT", ()) else ""


@register.filter
def error_summary_id(form: forms.BaseForm) -> str:
    """A page-unique id for a form's error summary, built like its fields' ids."""
    name = form.add_prefix("error-summary")
    return form.auto_id % name if isinstance(form.auto_id, str) and "%s" in form.auto_id else name


@register.filter
def error_messages(messages: Iterable[Message]) -> list[Message]:
    """{% with problems=messages|error_messages %}: the messages that say something went wrong."""
    return [message for message in messages if message.level >= message_levels.ERROR]


@register.filter
def other_messages(messages: Iterable[Message]) -> list[Message]:
    return [message for message in messages if message.level < message_levels.ERROR]


def in_words(duration: timedelta) -> str:
    """'30 seconds', '15 minutes', '3 days': a time limit as people say it
    (rounded down to its largest whole unit)."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


@register.simple_tag
def time_limit(name: str) -> str:
    """{% time_limit "sign-in" %}: how long something the person is in the
    middle of stays valid, from the setting that enforces it."""
    limits = {
        # allauth's login stages (the authenticator code step) expire after this.
        "sign-in": timedelta(seconds=account_settings.LOGIN_TIMEOUT),
        "authenticator-code": timedelta(seconds=mfa_settings.TOTP_PERIOD),
        "email-confirmation": timedelta(days=account_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS),
        "password-reset": timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    }
    return in_words(limits[name])
