"""Sending one mail over SMTP (aiosmtplib); tests talk to a real aiosmtpd server."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import aiosmtplib

from printapi.config import Settings


class MailSender(Protocol):
    async def send(self, *, to: str, subject: str, body: str) -> None: ...


class SmtpSender:
    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SmtpSender needs PRINTAPI_SMTP_HOST")
        self._settings = settings

    async def send(self, *, to: str, subject: str, body: str) -> None:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="printapi")
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
