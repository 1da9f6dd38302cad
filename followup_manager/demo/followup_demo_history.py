"""The demo's past: a few weeks of follow-ups, made by the add-on's own code.

The demo would teach little with sequences nobody has entered yet. This model plays
the last months again when the demo data is loaded: consent decisions recorded by a
salesperson, by the people themselves on the public pages and by an import; people
enrolled by hand; an automatic reply, a blacklist entry, a reply; and the dispatch run
at each of those past moments with ``now=`` (``followup.dispatcher._dispatch_due``).
Every decision of the log is the real policy's on the demo's contacts, never a
hand-written row.

Odoo stamps what a transaction creates with the transaction's timestamp
(``cursor.now()``): the history, the log and the contact cap read these dates. Each
past moment is therefore played with that timestamp set to it (``_followup_at``), so
that a decision taken "three weeks ago" is dated then and counts for the cap as it did.
Nothing else is frozen: the code is given its ``now``.

Called once, at install, by ``demo/followup_history_demo.xml`` (noupdate).
"""

import logging
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# The wording the people saw (the proofs), as a real installation keeps it.
DOUBLE_OPT_IN_PROOF = (
    "YourCompany would like to send you e-mails about offers, news and follow-ups of your "
    "requests. Please confirm that you agree by pressing the button below. You can "
    "withdraw at any time with the link in each e-mail.\n\n[Yes, I agree to receive e-mails]"
)
BROWSERS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36"
    ),
)


class FollowupDemoHistory(models.AbstractModel):
    _name = "followup.demo.history"
    _description = "Follow-up Demo: the Past Weeks"

    @contextmanager
    def _followup_at(self, moment):
        """Records created or written inside are dated ``moment`` (naive UTC): the
        transaction's timestamp, which Odoo stamps as ``create_date``/``write_date``,
        set to it and restored after (everything flushed on both sides)."""
        self.env.flush_all()
        cr = self.env.cr
        saved = cr._now
        cr._now = moment
        try:
            yield moment
            self.env.flush_all()
        finally:
            cr._now = saved

    @api.model
    def _followup_load(self):
        """Play the demo's past weeks (see the module's docstring)."""
        env = self.env
        ref = env.ref
        # Day 0 is the Monday three weeks ago: the weekdays below stay weekdays.
        today = fields.Datetime.now().date()
        monday = today - timedelta(days=today.weekday(), weeks=3)

        def at(day, hour, minute=0):
            return datetime.combine(monday + timedelta(days=day), time(hour, minute))

        admin = ref("base.user_admin")
        salesperson = ref("base.user_demo")
        public = ref("base.public_user")
        brandon = ref("base.res_partner_address_15")
        nicole = ref("base.res_partner_address_16")
        toni = ref("base.res_partner_address_17")
        gordon = ref("base.res_partner_address_18")
        giulia = ref("followup_manager.res_partner_lifecycle_visitor_demo")
        harper = ref("followup_manager.res_partner_lifecycle_prospect_demo")
        oliver = ref("followup_manager.res_partner_lifecycle_customer_demo")
        marco = ref("followup_manager.res_partner_lifecycle_loyal_contact_demo")
        emily = ref("followup_manager.res_partner_lifecycle_inactive_demo")
        luca = ref("followup_manager.res_partner_invalid_phone_demo")
        sophie = ref("followup_manager.res_partner_email_only_demo")
        welcome = ref("followup_manager.followup_sequence_fair_welcome_demo")
        checkup = ref("followup_manager.followup_sequence_account_checkup_demo")
        # The salesperson follows the people met at the fair.
        (giulia | harper | oliver | marco | brandon | nicole | toni | gordon).write(
            {"user_id": salesperson.id}
        )

        def consent(moment, user, partners, channel, state, source, **kwargs):
            # sudo: the demo records, as ``user``, what the screens and pages record
            # after their own checks (the history names ``user``).
            with self._followup_at(moment):
                partners.with_user(user).sudo().followup_set_consent(
                    channel, state, source, **kwargs
                )

        def online(moment, partner, channel, state, source, browser, **kwargs):
            # The public pages record as the public user, with the person's address.
            consent(
                moment,
                public,
                partner,
                channel,
                state,
                source,
                ip_address=f"203.0.113.{partner.id % 250 + 1}",
                user_agent=browser,
                **kwargs,
            )

        # --- consent, over the last months --------------------------------------
        consent(
            at(-118, 10, 12),
            admin,
            harper,
            "email",
            "granted",
            "import",
            proof="Imported from the old web shop's newsletter sign-ups (the sign-up "
            "form said: “Send me news and offers by e-mail”), with their dates.",
        )
        # Three people confirm the double opt-in e-mail, each in their own browser.
        for moment, person, browser in (
            (at(-90, 15, 41), brandon, BROWSERS[0]),
            (at(-75, 17, 5), nicole, BROWSERS[1]),
            (at(-61, 9, 32), toni, BROWSERS[2]),
        ):
            online(
                moment,
                person,
                "email",
                "granted",
                "double_opt_in",
                browser,
                proof=DOUBLE_OPT_IN_PROOF,
            )
        consent(
            at(-60, 11, 2),
            salesperson,
            marco,
            "email",
            "granted",
            "manual_phone",
            proof="Asked on the phone whether we may write about offers: he said yes.",
        )
        consent(
            at(-46, 14, 20),
            admin,
            sophie,
            "email",
            "granted",
            "manual_writing",
            proof="Ticked “e-mails about offers” on her signed order form.",
        )
        consent(
            at(-40, 10, 47),
            salesperson,
            gordon,
            "sms",
            "granted",
            "manual_phone",
            proof="Asked on the phone whether we may text him about his orders and "
            "our offers: he said yes.",
        )
        # Asked to confirm, never confirmed: pending.
        consent(
            at(-40, 10, 49),
            salesperson,
            gordon,
            "email",
            "pending",
            "double_opt_in_request",
            proof=DOUBLE_OPT_IN_PROOF,
        )
        online(
            at(-33, 19, 26),
            oliver,
            "email",
            "granted",
            "preference_page",
            BROWSERS[1],
            proof="Preference page: “E-mail: yes, send me offers and news”.",
        )
        with self._followup_at(at(-10, 16, 3)):
            # Odoo's own blacklist screen: the history records it (mail_blacklist).
            env["mail.blacklist"].with_user(admin).sudo()._add(
                emily.email, message="Asked by e-mail to be removed from every list."
            )
        consent(
            at(-3, 15, 30),
            salesperson,
            giulia,
            "email",
            "granted",
            "manual_meeting",
            proof="Met at the trade fair in Milan; agreed to receive our offers by e-mail.",
        )
        consent(
            at(-3, 15, 31),
            salesperson,
            giulia,
            "phone",
            "granted",
            "manual_meeting",
            proof="Met at the trade fair in Milan; agreed to be called about our offers.",
        )

        # --- Saturday: Giulia, met at the fair, enrolled at the weekend -------------
        def enroll(moment, sequence, partners, user=salesperson):
            with self._followup_at(moment):
                return (
                    sequence.with_user(user)
                    .sudo()
                    .with_context(followup_hand_enrollment=True)
                    ._followup_enroll([(p.id, "res.partner", p.id) for p in partners], now=moment)
                )

        def dispatch(moment):
            with self._followup_at(moment):
                return env["followup.dispatcher"]._dispatch_due(now=moment)

        enroll(at(-2, 10), welcome, giulia)
        dispatch(at(-2, 10))  # weekend in Italy: deferred to Monday morning
        # Marco's mail program answers an earlier e-mail: away until Wednesday.
        back = monday + timedelta(days=2)
        with self._followup_at(at(-1, 20, 14)):
            marco._followup_record_away(
                f"Automatic reply: I am out of the office until {back.day} "
                f"{back.strftime('%B')} with limited access to e-mail.",
                received=at(-1, 20, 14),
            )

        # --- Monday: the people met at the fair --------------------------------------
        enroll(at(0, 9), welcome, brandon | nicole | toni | gordon | marco | emily)
        dispatch(at(0, 9))  # Giulia sent; Marco away; Gordon pending; Emily blacklisted
        # Brandon and his colleagues are in California: too early there.
        dispatch(at(0, 18))  # Californians sent in their morning
        # Harper Logistics, enrolled late in the evening in San Francisco.
        enroll(at(1, 5), welcome, harper)
        dispatch(at(1, 5))  # outside the send window: 9:00 there
        # The account check-up: a service sequence, no consent needed.
        enroll(at(1, 10), checkup, luca | sophie | oliver, user=admin)
        dispatch(at(1, 10))  # a server action that fails for contacts without notes
        # Oliver, just enrolled in the welcome too: the cap holds his second contact.
        enroll(at(1, 11), welcome, oliver)
        dispatch(at(1, 11))
        dispatch(at(1, 18))
        # The calls: Giulia's and Oliver's wait for the contact cap, Luca's number is not
        # valid, Sophie refuses calls, Emily is no visitor or prospect (condition).
        dispatch(at(2, 10))
        dispatch(at(2, 18))
        dispatch(at(3, 9))  # Marco is back: his e-mail leaves
        dispatch(at(3, 18))
        # Nicole replies to the welcome e-mail: her follow-up ends.
        with self._followup_at(at(3, 19, 40)):
            # The person's own words, as her mail program sent them: not ours to translate.
            nicole.message_post(  # pylint: disable=translation-required
                body="Thank you! Could you send me the price list for the espresso machines?",
                author_id=nicole.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        dispatch(at(4, 10))
        dispatch(at(4, 18))
        dispatch(at(7, 10))
        dispatch(at(8, 10))
        dispatch(at(8, 18))
        # Toni leaves by the unsubscribe link of an e-mail.
        online(
            at(9, 7, 55),
            toni,
            "email",
            "withdrawn",
            "one_click_unsubscribe",
            BROWSERS[2],
            proof="One-click unsubscribe (RFC 8058) sent by the mail program from the "
            "List-Unsubscribe header of our e-mail (List-Unsubscribe=One-Click).",
        )
        for day in (9, 10, 11, 14, 15, 16, 17, 18):
            dispatch(at(day, 10))
            dispatch(at(day, 18))

        # --- today: the salesperson steers ------------------------------------------
        Enrollment = env["followup.enrollment"].with_user(salesperson).sudo()
        running = Enrollment.search([("sequence_id", "in", (welcome | checkup).ids)])
        by_partner = {e.partner_id: e for e in running if e.state == "active"}
        if giulia in by_partner:
            by_partner[giulia].action_pause()
        if harper in by_partner:
            by_partner[harper].snooze(
                fields.Datetime.to_string(datetime.combine(today + timedelta(days=10), time(8))),
                reason="Their purchasing manager is back in ten days.",
            )
        if gordon in by_partner:
            by_partner[gordon].action_stop(
                note="He asked to be called again next quarter, not before."
            )
        self._followup_mails_sent(running.dispatch_ids.mail_id)
        _logger.info("Follow-up demo: %s decisions played", len(running.dispatch_ids))
        return True

    @api.model
    def _followup_mails_sent(self, mails):
        """The demo has no mail server: its past e-mails are recorded as Odoo records a
        mail the server took (sent, then Odoo's own post-processing), so the demo shows
        them delivered, not failing weeks later in the queue."""
        mails = mails.filtered(lambda mail: mail.state == "outgoing")
        for mail in mails:
            with self._followup_at(mail.create_date):
                mail.write({"state": "sent", "failure_reason": False})
                mail._postprocess_sent_message(success_pids=mail.recipient_ids)
