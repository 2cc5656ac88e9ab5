"""The JSON of a backup: Django's, with every timestamp to the microsecond.

Django's JSON encoder cuts times to the millisecond, so a backup restored from it
would not hold the instants it was taken from; this format keeps them whole.
Reading is Django's own JSON deserializer, which parses either."""

from __future__ import annotations

import datetime

from django.core.serializers import json
from django.core.serializers.json import DjangoJSONEncoder


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(json.Serializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()


Deserializer = json.Deserializer
