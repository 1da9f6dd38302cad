"""Raw e-mails as Odoo's gateway receives them, and an SMTP session that keeps the bytes.

Messages are fed to ``mail.thread.message_process`` as ``odoo-mailgate`` and the
incoming-mail job do (raw RFC 5322 text, processed as superuser); follow-ups leave
through ``mail.mail.send()`` and the real ``smtplib`` client, with only the network
replaced (see ``LoopbackSMTP``).
"""

import smtplib
from contextlib import contextmanager
from unittest.mock import patch

from odoo.modules import module as odoo_module

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
Original-Recipient: rfc822;{recipient}
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


class LoopbackSMTP(smtplib.SMTP):
    """Python's own SMTP client, unconnected: ``send_message`` serialises the message
    exactly as for a real server (the message's policy, CRLF, the envelope), and
    ``sendmail``, where the bytes would go on the wire, keeps them."""

    def __init__(self, sent):
        super().__init__()
        self.sent = sent
        # As after EHLO: no network round trip is needed before sending.
        self.ehlo_resp = b"loopback"
        self.does_esmtp = True

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.sent.append(msg)
        return {}

    def quit(self):
        return (221, b"bye")


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
    def _smtp(self):
        """Send for real through smtplib, to a session that keeps the bytes. Odoo does
        not send in tests (``current_test``); only that and the connection change."""
        sent = []
        smtp = LoopbackSMTP(sent)
        with (
            patch.object(IrMailServer, "connect", lambda *args, **kwargs: smtp),
            patch.object(odoo_module, "current_test", False),
        ):
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

    def _dsn(self, dispatch, status="5.1.1", action="failed", diagnostic=None):
        recipient = dispatch.partner_id.email_normalized
        return DSN.format(
            to=f"bounce@{self.alias_domain.name}",
            msg_id=f"dsn-{status}",
            recipient=recipient,
            action=action,
            status=status,
            diagnostic=diagnostic or f"550 {status} <{recipient}>: Recipient address rejected",
            bounced_msg_id=dispatch.message_id.message_id,
        )
