"""Issue 12: Odoo's partner merge was blocked whenever a consent event's origin was
a contact being merged (the merge rewrites every stored reference, the history
refuses to be rewritten). Merging keeps the whole history of both contacts on the
contact kept, each event as it was recorded, with a note."""

from odoo.tests import tagged

from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestTrustMerge(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kept, cls.duplicate = cls.env["res.partner"].create(
            [
                {"name": "Anna Rossi", "email": "anna@example.com"},
                {"name": "Anna Rossi (old)", "email": "anna.rossi@example.com"},
            ]
        )

    def _merge(self, user):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, (self.kept | self.duplicate).ids)],
                    "dst_partner_id": self.kept.id,
                }
            )
        )
        wizard.action_merge()

    def test_merging_keeps_both_histories_on_the_contact_kept(self):
        self.kept.followup_set_consent("sms", "granted", "manual_phone", proof="Yes, texts")
        # A decision whose origin is the duplicate itself: the reference the merge
        # used to rewrite, and could not.
        self.duplicate.with_user(self.user_salesman).followup_set_consent(
            "email", "withdrawn", "manual_email", proof="Stop e-mails", origin=self.duplicate
        )
        duplicate_id = self.duplicate.id
        events = self.env["followup.consent.event"].search(
            [("partner_id", "in", (self.kept | self.duplicate).ids)]
        )
        self.assertEqual(len(events), 2)

        self._merge(self.env.ref("base.user_admin"))

        self.assertFalse(self.duplicate.exists())
        history = self._consent_events(self.kept)
        self.assertLessEqual(events, history, "every event of both contacts is kept")
        moved = events.filtered(lambda event: event.source == "manual_email")
        self.assertRecordValues(
            moved,
            [
                {
                    "partner_id": self.kept.id,
                    "origin_model": "res.partner",
                    "origin_id": duplicate_id,
                    "origin_label": "Anna Rossi (old)",
                    "partner_name_snapshot": "Anna Rossi (old)",
                    "partner_email_snapshot": "anna.rossi@example.com",
                    "proof": "Stop e-mails",
                }
            ],
        )
        self.assertFalse(moved.origin, "the merged contact no longer exists")
        # The withdrawal made on the duplicate holds for the contact kept.
        email = self.kept.followup_consent_ids.filtered(lambda c: c.channel == "email")
        self.assertEqual(email.state, "withdrawn")
        note = self.kept.message_ids.filtered(lambda m: "Consent history moved" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Anna Rossi (old)", note.body)
