"""E-mail on one's own machine: each message kept as a file under var/mail/ (open it
with any mail reader), and one line on the console saying who got what."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FolderBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, *, folder: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        self.folder = Path(folder) if folder else settings.VAR_DIR / "mail"

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            path = self.folder / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
            shown = (
                path.relative_to(settings.BASE_DIR)
                if path.is_relative_to(settings.BASE_DIR)
                else path
            )
            sys.stdout.write(f"mail to {', '.join(message.to)}: {message.subject}  ({shown})\n")
            sys.stdout.flush()
        return len(email_messages)
