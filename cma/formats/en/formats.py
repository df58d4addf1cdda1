"""The site's date and time patterns for whatever Django prints without an
explicit format: the admin, allauth's pages, `{{ value|date }}`. The same
style as cma.formatting ("Jan 5, 2026, 9:12 AM"), instead of Django's
English defaults ("Jan. 5, 2026, 9:12 a.m.", "noon")."""

DATE_FORMAT = "M j, Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = "M j, Y, g:i A"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
