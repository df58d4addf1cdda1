"""SharedFieldsForm: instances use the class's field objects (no per-instance
deep copy), and everything bound to one instance stays its own."""

from __future__ import annotations

from django import forms

from cma.forms import SharedFieldsForm
from petitions.forms import SignatureForm


class ContactForm(SharedFieldsForm):
    name = forms.CharField(max_length=20)
    email = forms.EmailField()
    state = forms.ChoiceField(choices=[("CA", "California"), ("NV", "Nevada")])


def test_instances_use_the_class_fields_themselves():
    first, second = ContactForm(), ContactForm({"name": "Ada"})

    for name, field in ContactForm.base_fields.items():
        assert first.fields[name] is field
        assert second.fields[name] is field


def test_a_plain_form_still_copies_its_fields():
    class PlainForm(forms.Form):
        name = forms.CharField()

    assert PlainForm().fields["name"] is not PlainForm.base_fields["name"]


def test_each_instance_keeps_its_own_data_and_errors():
    bad = ContactForm({"name": "x" * 30, "email": "not an address", "state": "TX"})
    good = ContactForm({"name": "Ada Lovelace", "email": "ada@example.org", "state": "NV"})

    assert not bad.is_valid()
    assert good.is_valid()
    assert set(bad.errors) == {"name", "email", "state"}
    assert good.errors == {}
    assert good.cleaned_data == {"name": "Ada Lovelace", "email": "ada@example.org", "state": "NV"}


def test_rendering_one_instance_leaves_nothing_on_the_next():
    bad = ContactForm({"name": "", "email": "nope", "state": "CA"})
    bad.is_valid()
    bad_html = str(bad)
    fresh_html = str(ContactForm())

    assert "Enter a valid email address." in bad_html
    assert 'aria-invalid="true"' in bad_html
    assert "Enter a valid email address." not in fresh_html
    assert "aria-invalid" not in fresh_html
    assert 'value="nope"' not in fresh_html
    # The widgets the two shared are as declared.
    assert ContactForm.base_fields["email"].widget.attrs == {"maxlength": "320"}


def test_the_sign_form_shares_its_fields():
    form = SignatureForm({"name": "Ada Lovelace", "email": "ada@example.org", "zip_code": "89501", "state": "NV"})

    assert form.is_valid(), form.errors
    assert form.fields["state"] is SignatureForm.base_fields["state"]
    # Its own ids still apply (two forms share the petition page).
    assert 'id="sign_email"' in str(form)
