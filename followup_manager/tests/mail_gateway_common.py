"""Raw e-mails as Odoo's gateway receives them, and the bytes follow-ups leave as.

Messages are fed to ``mail.thread.message_process`` as ``odoo-mailgate`` and the
incoming-mail job do (raw RFC 5322 text, processed as superuser); follow-ups leave
through ``mail.mail.send()`` and ``ir.mail_server``, whose message is read as the bytes
smtplib would write (``wire_bytes``).
"""

import io
from contextlib import contextmanager
from email.generator import BytesGenerator
from unittest.mock import patch

from odoo.addons.base.models.ir_mail_server import IrMailServer

from .common import FollowupDispatchCase

REPLY = """\
From: {email_from}
To: {to}
Subject: {subject}
Date: Mon, 30 Nov 2026 10:30:00 +0100
Message-ID: <{msg_id}@mail.example.com>
In-Reply-To: {in_reply_to}
References: {in_reply_to}
MIME-Version: 1.0
{headers}Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""

# A delivery status notification (RFC 3464) as Postfix writes it: a human part, the
# machine-readable status, then the headers of the message that bounced.
DSN = """\
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Date: Mon, 30 Nov 2026 10:05:00 +0100
Message-ID: <{msg_id}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="5E4B8C21.1606727100/mx.example.net"

This is a MIME-encapsulated message.

--5E4B8C21.1606727100/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: {diagnostic}

--5E4B8C21.1606727100/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 5E4B8C21
Arrival-Date: Mon, 30 Nov 2026 10:04:59 +0100

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{original}
Action: {action}
Status: {status}
Remote-MTA: dns; mail.example.com
Diagnostic-Code: smtp; {diagnostic}

--5E4B8C21.1606727100/mx.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <{to}>
From: Sam Salesman <sales@example.com>
To: {recipient}
Subject: Your follow-up
Message-Id: {bounced_msg_id}

--5E4B8C21.1606727100/mx.example.net--
"""


def wire_bytes(message):
    """The bytes ``smtplib.SMTP.send_message`` writes for ``message``: its own
    generator, with the message's policy and CRLF line ends (smtplib.py)."""
    buffer = io.BytesIO()
    BytesGenerator(buffer).flatten(message, linesep="\r\n")
    return buffer.getvalue()


class FollowupGatewayCase(FollowupDispatchCase):
    """Follow-ups sent and answered through the mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create(
            {
                "name": "fm-gateway.example.com",
                "catchall_alias": "catchall",
                "bounce_alias": "bounce",
            }
        )
        cls.env.company.alias_domain_id = cls.alias_domain
        # Each test counts its own contacts: no cap between its e-mails.
        cls.env.company.followup_cap_count = 0

    @contextmanager
    def _sent_messages(self):
        """The messages handed to ``ir.mail_server.send_email`` while the block runs,
        recorded as Odoo's ``MockEmail`` records them: the real method runs, so each
        message is the one ``build_email`` made and ``_prepare_email_message``
        readied for the SMTP session (envelope, From). Odoo stops there in tests,
        before opening a connection; ``wire_bytes`` gives what would be written."""
        sent = []
        send_email = IrMailServer.send_email

        def _send_email(server, message, *args, **kwargs):
            result = send_email(server, message, *args, **kwargs)
            sent.append(message)
            return result

        with patch.object(IrMailServer, "send_email", autospec=True, side_effect=_send_email):
            yield sent

    def _process(self, raw, moment=None):
        """Hand ``raw`` to the gateway as odoo-mailgate does (as superuser)."""
        with self._at(moment or self.MONDAY_10_ROME):
            return self.env["mail.thread"].sudo().message_process(False, raw)

    def _reply(self, dispatch, body, subject=None, headers="", email_from=None, msg_id="reply"):
        """A reply to the follow-up e-mail of ``dispatch`` (In-Reply-To its Message-Id)."""
        partner = dispatch.partner_id
        return REPLY.format(
            email_from=email_from or f'"{partner.name}" <{partner.email}>',
            to=f"catchall@{self.alias_domain.name}",
            subject=subject or f"Re: {dispatch.message_id.subject or 'your follow-up'}",
            msg_id=msg_id,
            in_reply_to=dispatch.message_id.message_id,
            headers=headers,
            body=body,
        )

    def _dsn(
        self, dispatch, status="5.1.1", action="failed", diagnostic=None, recipient=None, tag=None
    ):
        """A delivery report about the follow-up e-mail of ``dispatch``, sent to the
        partner's address (or ``recipient``); ``recipient`` may be ``(final,
        original)`` when a forward changed the address on the way."""
        final, original = recipient if isinstance(recipient, tuple) else (recipient,) * 2
        final = final or dispatch.partner_id.email_normalized
        original = original or final
        return DSN.format(
            to=f"bounce@{self.alias_domain.name}",
            msg_id=f"dsn-{tag or status}",
            recipient=final,
            original=original,
            action=action,
            status=status,
            diagnostic=diagnostic or f"550 {status} <{final}>: Recipient address rejected",
            bounced_msg_id=dispatch.message_id.message_id,
        )
