import re
from email import message_from_bytes, policy
from urllib.parse import unquote

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import url_path
from .mail_gateway_common import FollowupGatewayCase, wire_bytes

UNSUBSCRIBE_LINE = re.compile(rb"^List-Unsubscribe: (.*?)\r\n(?![ \t])", re.MULTILINE | re.DOTALL)


@tagged("post_install", "-at_install")
class TestFollowupHeadersOnTheWire(FollowupGatewayCase, HttpCase):
    """What leaves for the SMTP server: the unsubscribe headers on one line each,
    and both ways they offer (the one-click POST, the mailto) work."""

    def _send_followup(self):
        sequence = self._sequence("Care", [self._email_step("Check-in", self.template_partner)])
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        with self._sent_messages() as sent:
            dispatch.mail_id.send()
        self.assertEqual(len(sent), 1)
        return wire_bytes(sent[0])

    def _build(self, headers):
        """What ``ir.mail_server`` builds for any e-mail with ``headers``, as bytes."""
        message = self.env["ir.mail_server"].build_email(
            "sales@example.com",
            ["mario@example.com"],
            "A subject",
            "<p>Hello</p>",
            subtype="html",
            headers=headers,
        )
        return wire_bytes(message)

    def test_only_the_unsubscribe_headers_are_kept_on_one_line(self):
        url = "https://shop.example.com/followup/unsubscribe/7/" + "a1b2c3d4" * 12
        long_text = " ".join(["a long header value made of words"] * 4)
        raw = self._build(
            {
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Long-Text": long_text,
            }
        )
        self.assertIn(f"\r\nList-Unsubscribe: <{url}>\r\n".encode(), raw)
        self.assertIn(b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", raw)
        # Every other header is folded as Odoo folds it.
        folded = re.search(rb"\r\nX-Long-Text: (.*?)\r\n(?![ \t])", raw, re.DOTALL).group(1)
        self.assertIn(b"\r\n ", folded)
        self.assertEqual(b" ".join(folded.split(b"\r\n ")).decode(), long_text)

    def test_unsubscribe_headers_leave_whole_and_one_click_withdraws(self):
        self.mario.followup_set_consent("email", "granted", "manual_writing")
        raw = self._send_followup()
        line = UNSUBSCRIBE_LINE.search(raw)
        self.assertTrue(line, raw[:2000])
        self.assertTrue(line.group(1).startswith(b"<http"), line.group(1))
        self.assertNotIn(b"=?", line.group(1), "no RFC 2047 encoded-word")
        self.assertNotIn(b"\r\n", line.group(1), "one line")
        self.assertIn(b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", raw)
        url = re.match(rb"<(https?://[^>]+)>", line.group(1)).group(1).decode()
        self.assertEqual(url, self.mario._followup_unsubscribe_url())

        response = self.url_open(url_path(url), data={"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        event = self._consent_events(self.mario)[-1]
        self.assertEqual((event.state, event.source), ("withdrawn", "one_click_unsubscribe"))

    def test_mail_queued_with_stored_headers_leaves_with_them_once(self):
        """An e-mail queued by the previous release, which stored the headers with
        the e-mail, leaves after the upgrade with each header once, as stored."""
        sequence = self._sequence("Care", [self._email_step("Check-in", self.template_partner)])
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        self.assertNotIn("List-Unsubscribe", dispatch.mail_id.headers or "")
        stored = {
            "List-Unsubscribe": "<https://old.example.com/followup/unsubscribe/1/abc>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        dispatch.mail_id.headers = repr(stored)
        with self._sent_messages() as sent:
            dispatch.mail_id.send()
        raw = wire_bytes(sent[0])
        self.assertEqual(
            UNSUBSCRIBE_LINE.findall(raw),
            [b"<https://old.example.com/followup/unsubscribe/1/abc>"],
        )
        self.assertEqual(raw.count(b"\r\nList-Unsubscribe-Post: "), 1)

    def test_resent_followup_leaves_with_the_headers(self):
        """*Resend* makes a new e-mail of the same message: it carries the headers."""
        sequence = self._sequence("Care", [self._email_step("Check-in", self.template_partner)])
        self._enroll(sequence, self.mario)
        dispatch = self._dispatch()
        # What Odoo's resend (_notify_thread_by_email) queues: a new e-mail of the message.
        resent = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "mail_message_id": dispatch.message_id.id,
                    "body_html": "<p>Again</p>",
                    "recipient_ids": [(4, self.mario.id)],
                }
            )
        )
        self.assertEqual(resent.mail_message_id, dispatch.message_id)
        with self._sent_messages() as sent:
            resent.send()
        line = UNSUBSCRIBE_LINE.search(wire_bytes(sent[0]))
        self.assertTrue(line)
        self.assertTrue(
            line.group(1).startswith(f"<{self.mario._followup_unsubscribe_url()}>".encode())
        )

    def test_mailto_unsubscribe_is_handled_by_the_gateway(self):
        self.mario.followup_set_consent("email", "granted", "manual_writing")
        raw = self._send_followup()
        header = message_from_bytes(raw, policy=policy.SMTP)["List-Unsubscribe"]
        mailto = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", header)
        self.assertTrue(mailto, header)
        address, subject = mailto.group(1), unquote(mailto.group(2))
        self.assertEqual(address, "catchall+unsubscribe@fm-gateway.example.com")
        # What a mail program sends when the person picks "unsubscribe".
        self._process(
            f"From: Mario Rossi <mario@example.com>\n"
            f"To: {address}\n"
            f"Subject: {subject}\n"
            f"Message-ID: <unsubscribe-mario@example.com>\n"
            f"Content-Type: text/plain\n\n"
            f"This message was automatically generated by Gmail.\n"
        )
        event = self._consent_events(self.mario)[-1]
        self.assertEqual((event.state, event.source), ("withdrawn", "mailto"))
        self.assertIn("mailto", event.proof)
        self.assertTrue(self.mario.is_blacklisted)
        # A forged subject changes nothing (and is not routed anywhere).
        count = len(self._consent_events(self.mario))
        self._process(
            f"From: someone@example.net\nTo: {address}\n"
            f"Subject: unsubscribe {self.customer.id} {'0' * 64}\n"
            f"Message-ID: <forged@example.net>\nContent-Type: text/plain\n\nbye\n"
        )
        self.assertEqual(len(self._consent_events(self.mario)), count)
        self.assertFalse(self._consent_events(self.customer))
        # Only the gateway records this source, after checking the signed subject.
        with self.assertRaises(UserError):
            self.mario.with_user(self.user_manager).followup_set_consent(
                "email", "withdrawn", "mailto"
            )
