"""Invoice e-mails: building a header-safe message and sending many over one SMTP connection."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import UTC, datetime
from typing import Literal

import aiosmtplib

from services.invoicing.building import InvoiceDocument
from services.invoicing.settings import Settings

log = logging.getLogger(__name__)

ErrorClass = Literal["no_address", "refused", "connection", "timeout", "other"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


class SendFailed(Exception):
    """One message was not accepted; ``error`` classifies why, ``detail`` is the server's text."""

    def __init__(self, error: ErrorClass, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


def header_text(value: str, limit: int = 200) -> str:
    """Customer-supplied text made safe for a header: no CR, LF or other control characters."""
    return _CONTROL.sub(" ", value).strip()[:limit]


def recipient(address: str | None) -> str:
    """A single plain address, or SendFailed('no_address')."""
    text = (address or "").strip()
    if not text or _CONTROL.search(text) or not _ADDRESS.match(text):
        raise SendFailed("no_address", f"no usable e-mail address ({header_text(text, 80)!r})")
    if not text.rsplit("@", 1)[0].isascii():
        # Internationalised local parts need SMTPUTF8 end to end, which e-mail headers here cannot carry.
        raise SendFailed("no_address", f"the address has accented characters before the @ ({header_text(text, 80)!r}); "
                                       "ask the customer for another address")
    return text


def build_message(doc: InvoiceDocument, pdf: bytes, *, sender: str, to: str, attempt: int) -> EmailMessage:
    """The invoice e-mail with its PDF attached; every header value is sanitised."""
    msg = EmailMessage()
    domain = sender.rsplit("@", 1)[-1]
    msg["Message-ID"] = make_msgid(idstring=f"{doc.invoice_number}.{attempt}", domain=domain)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["From"] = Address(display_name=header_text(doc.seller.name), addr_spec=sender)
    msg["To"] = Address(display_name=header_text(doc.buyer.name), addr_spec=to)
    title = "Sztornó számla" if doc.kind == "storno" else "Számla"
    msg["Subject"] = header_text(f"{title} {doc.invoice_number} – {doc.seller.name}")
    msg.set_content(
        f"Tisztelt {header_text(doc.buyer.name)}!\n\n"
        f"Mellékelten küldjük a(z) {doc.order_number} rendeléshez kiállított {doc.invoice_number} számú "
        f"{title.lower()}át PDF formátumban.\n"
        f"Fizetendő: {doc.amount_due} {doc.currency}, fizetési határidő: {doc.due_date.isoformat()}.\n\n"
        f"Please find attached invoice {doc.invoice_number} for order {doc.order_number}.\n\n"
        f"{doc.seller.name}\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{doc.invoice_number}.pdf")
    return msg


class Mailer:
    """One SMTP connection, opened on first use, reopened when the server drops it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: aiosmtplib.SMTP | None = None
        self.connections_opened = 0

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context() if (s.smtp_tls or s.smtp_starttls) else None
        smtp = aiosmtplib.SMTP(hostname=s.smtp_host, port=s.smtp_port, timeout=s.smtp_timeout_s,
                               use_tls=s.smtp_tls, start_tls=s.smtp_starttls if not s.smtp_tls else False,
                               tls_context=context)
        await smtp.connect()
        if s.smtp_username:
            await smtp.login(s.smtp_username, s.smtp_password.get_secret_value() if s.smtp_password else "")
        self.connections_opened += 1
        log.info("SMTP connection to %s:%d opened", s.smtp_host, s.smtp_port)
        return smtp

    async def send(self, message: EmailMessage, to: str) -> None:
        """Send one message; reconnects once if the connection was dropped. Raises SendFailed."""
        for attempt in (1, 2):
            try:
                if self._smtp is None or not self._smtp.is_connected:
                    self._smtp = await self._connect()
                await self._smtp.send_message(message, sender=self.settings.smtp_from, recipients=[to])
                return
            except aiosmtplib.SMTPServerDisconnected as error:
                self._smtp = None
                if attempt == 2:
                    raise SendFailed("connection", f"server disconnected: {error}") from error
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise SendFailed("refused", "; ".join(f"{r.code} {r.message}" for r in error.recipients)) from error
            except aiosmtplib.SMTPResponseException as error:
                raise SendFailed("refused", f"{error.code} {error.message}") from error
            except (aiosmtplib.SMTPTimeoutError, asyncio.TimeoutError, TimeoutError) as error:
                await self.close()
                raise SendFailed("timeout", f"SMTP timeout: {error}") from error
            except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPException, OSError) as error:
                await self.close()
                raise SendFailed("connection", f"{type(error).__name__}: {error}") from error

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()
