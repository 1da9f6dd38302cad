"""List-Unsubscribe headers leave on one line.

Python's e-mail policy folds any header longer than 78 characters; a header made of
one long word (our signed unsubscribe URL) cannot be folded at a space, so the folder
turns it into RFC 2047 encoded-words (``=?utf-8?q?=3Chttps=3A//...?=``). RFC 2369 and
RFC 8058 do not allow encoded-words there, and mailbox providers do not decode them:
the one-click unsubscribe silently stops working. RFC 5322 allows lines of up to 998
characters, and Odoo already keeps its identification headers (``Message-Id``,
``References``) whole for the same reason (its SMTP policy, ``email.policy.SMTP``).

Why a policy of our own on the messages that carry the headers, rather than adding
names to Odoo's ``RFC5322_IDENTIFICATION_HEADERS`` set at import time: that set is
global to the server process, so it would change the e-mails of every database the
server hosts, with or without this add-on, and its name says what it is for
(identification fields). Here the change is made by ``ir.mail_server`` of the
databases that install the add-on, on the messages that carry an unsubscribe header,
and every other header is folded by Odoo's own policy, so everything Odoo keeps whole
stays whole. Only the public methods of ``email.policy.Policy`` (``fold``,
``fold_binary``) are used, no class or name private to Odoo.
"""

import email.policy

from odoo import api, models

# Headers whose value is a list of <URI>s (RFC 2369) or a fixed keyword (RFC 8058).
NO_FOLD_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})
_NO_FOLD = email.policy.SMTP.clone(max_line_length=None)


class FollowupNoFoldPolicy(email.policy.EmailPolicy):
    """Odoo's SMTP policy (``email.policy.SMTP``, as Odoo sets it), with the
    unsubscribe headers never folded."""

    def _policy_for(self, name):
        return _NO_FOLD if name.lower() in NO_FOLD_HEADERS else email.policy.SMTP

    def fold(self, name, value):
        return self._policy_for(name).fold(name, value)

    def fold_binary(self, name, value):
        return self._policy_for(name).fold_binary(name, value)


FOLLOWUP_SMTP_POLICY = FollowupNoFoldPolicy(linesep=email.policy.SMTP.linesep)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    @api.model
    def build_email(self, email_from, email_to, subject, body, *args, **kwargs):
        message = super().build_email(email_from, email_to, subject, body, *args, **kwargs)
        if any(message[name] for name in NO_FOLD_HEADERS):
            # The policy serialises the message (as_bytes, smtplib.send_message):
            # headers already set are written with it.
            message.policy = FOLLOWUP_SMTP_POLICY
        return message
