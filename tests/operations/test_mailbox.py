"""E-mail on one's own machine: a file per message under var/mail/, a line each."""

from __future__ import annotations

from email import message_from_bytes

from django.core.mail import EmailMessage

from tracker.notifications.mailbox import FolderBackend


def test_each_message_is_kept_as_a_file_with_one_line_on_the_console(tmp_path, capsys):
    backend = FolderBackend(folder=str(tmp_path))
    sent = backend.send_messages(
        [
            EmailMessage("Reminder: TA-2026-0001", "It waits.", to=["olga@example.org"]),
            EmailMessage("Rappel : TA-2026-0002", "Il attend.", to=["afi@example.org"]),
        ]
    )
    assert sent == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    subjects = {message_from_bytes(f.read_bytes())["Subject"] for f in files}
    assert subjects == {"Reminder: TA-2026-0001", "Rappel : TA-2026-0002"}
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("mail to olga@example.org: Reminder: TA-2026-0001")
    assert str(files[0].name) in "".join(lines)
