"""The world's mail: real bounces, delay notices and replies, each answering a follow-up.

``../shared/mail-corpus`` (beside the repository) holds messages that real mail servers
and mail programs wrote, copied byte for byte from the test data of sisimai and
Mail-DeliveryStatus-BounceParser, each with the class their authors gave it
(``manifest.json``). Each is adapted as its README says (the person is the partner, the
message answers the follow-up really sent) and handed to the gateway.
"""

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

from odoo.tests import tagged

from .mail_gateway_common import FollowupGatewayCase

_logger = logging.getLogger(__name__)

CORPUS = Path(__file__).parents[2].parent / "shared" / "mail-corpus"

# Headers of the receiving side, dropped as the README says.
_RECEIVING = ("delivered-to", "x-original-to", "envelope-to")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):", re.MULTILINE)
_QUOTED_MESSAGE_ID = re.compile(
    rb"(?im)^([ \t>]*message-id:[ \t]*(?:\r?\n[ \t]+)?)<?[^\s>]+>?", re.MULTILINE
)
_ORIGINAL_PART = re.compile(
    rb"(?im)^content-type:[ \t]*(?:message/rfc822|text/rfc822-headers)[^\n]*\n"
    rb"(?:[^\r\n][^\n]*\n)*?\r?\n"
)
_COMPLETE_MESSAGE_ID = re.compile(rb"(?im)^[ \t>]*message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^\s<>=]+>)")
_COPY_MARKER = re.compile(
    rb"(?im)^[^\r\n]*(?:copy of the message|below this line|original message|"
    rb"message follows|returned message|undelivered message)[^\r\n]*"
)
_QUOTED_SUBJECT = re.compile(rb"(?im)^([ \t>]*)subject:")


def _headers(raw):
    """(header block, line end, body) of a raw message."""
    end = _HEADER_END.search(raw)
    head, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    eol = b"\r\n" if b"\r\n" in head else b"\n"
    return head, eol, body


def _drop_headers(head, names):
    """``head`` without the fields ``names`` (lower case), folded lines included."""
    kept, skipping = [], False
    for line in re.split(rb"(?<=\n)", head + b"\n"):
        if not line.strip(b"\r\n"):
            continue
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        match = _HEADER_LINE.match(line)
        skipping = bool(match) and match.group(1).decode("latin-1").lower() in names
        if not skipping:
            kept.append(line)
    return b"".join(kept).rstrip(b"\r\n")


def adapt(raw, entry, message_id, to):
    """The corpus message ``raw`` answering our e-mail ``message_id``, sent to ``to``."""
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    head, eol, body = _headers(raw)
    reply = entry["class"] in ("autoreply", "human")
    dropped = {*_RECEIVING, "to"} | ({"in-reply-to", "references"} if reply else set())
    head = _drop_headers(head, dropped)
    extra = [b"To: " + to.encode()]
    msg_id = message_id.encode()
    if reply:
        extra += [b"In-Reply-To: " + msg_id, b"References: " + msg_id]
    else:
        # The quoted original's Message-ID, wherever the report repeats it (some
        # servers name it in their own In-Reply-To too), becomes ours.
        for original in set(_COMPLETE_MESSAGE_ID.findall(body)):
            body = body.replace(original, msg_id)
            head = re.sub(
                rb"(?im)^((?:in-reply-to|references):[^\n]*(?:\n[ \t][^\n]*)*)",
                lambda m, o=original: m.group(1).replace(o, msg_id),
                head,
            )
        body, count = _QUOTED_MESSAGE_ID.subn(lambda m: m.group(1) + msg_id, body)
        if not count:
            # The authors removed it: put it where the copy of the message is.
            line = b"Message-ID: " + msg_id + eol
            original = _ORIGINAL_PART.search(body)
            marker = _COPY_MARKER.search(body)
            subject = _QUOTED_SUBJECT.search(body)
            if original:
                body = body[: original.end()] + line + body[original.end() :]
            elif marker:
                at = marker.end()
                body = body[:at] + eol + line + body[at:]
            elif subject:
                at = subject.start()
                body = body[:at] + subject.group(1) + line + body[at:]
            else:
                extra.append(b"References: " + msg_id)
    return head + eol + eol.join(extra) + eol + eol + body


@tagged("post_install", "-at_install")
class TestFollowupMailCorpus(FollowupGatewayCase):
    """Every message of the corpus ends as its authors classify it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.corpus_sequence = cls._create_sequence(
            "Corpus",
            "manual",
            [
                cls._email_step("Check-in", cls.template_partner),
                cls._email_step("Second check-in", cls.template_partner, 2, "days"),
            ],
            purpose="service",
            stop_on_reply=True,
        )

    def _send_followup(self, email):
        """A follow-up e-mail really sent to a new partner with ``email``: the
        dispatch and the message that left."""
        partner = self._create_customer("Corpus Person", "corpus", email=email)
        self._enroll(self.corpus_sequence, partner)
        dispatch = self._dispatch().filtered(lambda d: d.partner_id == partner)
        self.assertEqual(dispatch.state, "done")
        with self._at(self.MONDAY_10_ROME), self._sent_messages() as sent:
            dispatch.mail_id.send()
        self.assertEqual(len(sent), 1)
        return dispatch, sent[0]

    def _corpus_outcome(self, entry):
        """What went wrong with ``entry``, or None when it ends as its class says."""
        raw = (CORPUS / entry["file"]).read_bytes()
        dispatch, sent = self._send_followup(entry["recipient"].lower())
        partner, enrollment = dispatch.partner_id, dispatch.enrollment_id
        kind = entry["class"]
        if kind in ("autoreply", "human"):
            header = "Return-Path" if entry.get("reply_to") == "return-path" else "Reply-To"
        else:
            header = "Return-Path"
        to = str(sent[header]).strip().strip("<>")
        received = self.MONDAY_10_ROME + timedelta(minutes=5)
        self._process(adapt(raw, entry, str(sent["Message-Id"]).strip(), to), received)
        with self._at(received):
            # The state is computed from the clock (soft until the retry date).
            partner.invalidate_recordset(["followup_email_state"])
            state = partner.followup_email_state
            away = partner.followup_away_until
        seen = (
            f"state={state} bounces={partner.message_bounce} away={bool(away)} "
            f"enrollment={enrollment.state}/{enrollment.stop_reason or '-'}"
        )
        if kind == "hard":
            later = self._dispatch(self.MONDAY_10_ROME + timedelta(days=2, hours=1))
            mailed = later.filtered(lambda d: d.partner_id == partner and d.mail_id)
            ok = state == "bounced" and not mailed
        elif kind == "soft":
            ok = state == "soft" and enrollment.state == "active"
        elif kind == "delay":
            ok = (
                state == "ok"
                and not partner.message_bounce
                and enrollment.state == "active"
                and dispatch.delivery_state != "bounced"
            )
        elif kind == "autoreply":
            ok = bool(away) and enrollment.state == "active" and state == "ok"
        else:
            ok = (enrollment.state, enrollment.stop_reason) == ("stopped", "replied")
        return None if ok else f"{entry['file']} ({kind}): {seen}"

    def test_every_message_ends_as_its_authors_classify_it(self):
        self.assertTrue(
            (CORPUS / "manifest.json").is_file(),
            f"the mail corpus is missing: {CORPUS} (CI copies shared/ beside the clone)",
        )
        entries = json.loads((CORPUS / "manifest.json").read_text())
        self.assertEqual(len(entries), 87)
        failures = []
        for entry in entries:
            savepoint = self.env.cr.savepoint()
            try:
                failure = self._corpus_outcome(entry)
            except Exception as error:  # noqa: BLE001 - each message reports alone
                failure = f"{entry['file']} ({entry['class']}): {error!r}"
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()
            if failure:
                failures.append(failure)
        passed = {}
        for entry in entries:
            counts = passed.setdefault(entry["class"], [0, 0])
            counts[1] += 1
            if not any(f.startswith(entry["file"] + " ") for f in failures):
                counts[0] += 1
        summary = ", ".join(f"{kind} {ok}/{total}" for kind, (ok, total) in passed.items())
        _logger.info("Mail corpus: %s", summary)
        if failures:
            self.fail(f"{summary}; failing:\n" + "\n".join(failures))
