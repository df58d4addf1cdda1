"""Feed a local MTA's bounces to the suppression list.

    manage.py process_bounce < dsn.eml          # one RFC 3464 delivery status notification
    manage.py process_bounce --json < events.json

Postfix, for example, can pipe the bounces sent to the portal's return path
into this command. Hard bounces and complaints suppress the address; soft
bounces are counted (EMAIL_SOFT_BOUNCE_LIMIT of them in 30 days suppress it).
"""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from notifications.services import bounce_record, bounces_from_dsn, bounces_from_json


class Command(BaseCommand):
    help = "Record bounces from an RFC 3464 DSN (or a JSON list) on standard input."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="The input is the generic JSON shape, not a DSN.")

    def handle(self, *args, json: bool = False, **options):
        raw = sys.stdin.buffer.read(5 * 1024 * 1024 + 1)
        if len(raw) > 5 * 1024 * 1024:
            raise CommandError("The input is larger than 5 MB; no bounce was recorded.")
        try:
            bounces = bounces_from_json(_loads(raw)) if json else bounces_from_dsn(raw)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        suppressed = sum(bounce_record(bounce=b, source="mta") for b in bounces)
        self.stdout.write(f"{len(bounces)} bounce(s) recorded, {suppressed} address(es) suppressed.")


def _loads(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CommandError("The input is not JSON.") from exc
