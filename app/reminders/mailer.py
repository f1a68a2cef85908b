"""Email over SMTP with the standard library (smtplib, email.message): no extra dependency.

One connection serves a whole pass; after a failure the next message opens a new one.
`LENTERA_SMTP_TLS` chooses plain SMTP (`none`, e.g. a relay on the same host), STARTTLS on
the submission port (`starttls`, the default, port 587) or TLS from the start (`ssl`, 465).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.config import Settings

TIMEOUT_SECONDS = 30


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lentera")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation replies stay quiet
    message.set_content(body)
    return message


class Mailer:
    """An SMTP client that connects on first use and reconnects after a failure."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        smtp: smtplib.SMTP
        if s.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )  # fmt: skip
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT_SECONDS)
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            password = s.smtp_password.get_secret_value() if s.smtp_password else ""
            smtp.login(s.smtp_username, password)
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the SMTP server; raises OSError/SMTPException on failure."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Say QUIT (or just drop the connection if the server is gone)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
