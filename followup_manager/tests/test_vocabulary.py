"""One vocabulary: every selection of the add-on that speaks of channels, purposes,
consents, reasons or dispatch states offers exactly the policy's words, in its order
and with its labels (policy/vocabulary.py). A code added to one and not the other fails
here, before a dispatch row with a reason the screens cannot show."""

from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..policy import decision, vocabulary
from ..policy.facts import PartnerFacts, Settings

WEDNESDAY_NOON = datetime(2026, 1, 14, 12, 0)


@tagged("post_install", "-at_install")
class TestVocabulary(TransactionCase):
    # (model, field, the policy's pairs)
    FIELDS = [
        ("followup.dispatch", "channel", vocabulary.STEP_CHANNEL_LABELS),
        ("followup.dispatch", "reason", vocabulary.REASON_LABELS),
        ("followup.dispatch", "state", vocabulary.DISPATCH_STATE_LABELS),
        ("followup.dispatch", "purpose", vocabulary.PURPOSE_LABELS),
        ("followup.step", "channel", vocabulary.STEP_CHANNEL_LABELS),
        ("followup.sequence", "purpose", vocabulary.PURPOSE_LABELS),
        ("followup.enrollment", "purpose", vocabulary.PURPOSE_LABELS),
        ("followup.enrollment", "state", vocabulary.ENROLLMENT_STATE_LABELS),
        ("followup.enroll.wizard", "sequence_purpose", vocabulary.PURPOSE_LABELS),
        ("followup.consent", "channel", vocabulary.CHANNEL_LABELS),
        ("followup.consent", "state", vocabulary.CONSENT_STATE_LABELS),
        ("followup.consent", "legal_basis", vocabulary.LEGAL_BASIS_LABELS),
        ("followup.consent.event", "channel", vocabulary.CHANNEL_LABELS),
        ("followup.consent.event", "state", vocabulary.CONSENT_STATE_LABELS),
        ("followup.consent.event", "legal_basis", vocabulary.LEGAL_BASIS_LABELS),
        ("followup.consent.record", "channel", vocabulary.CHANNEL_LABELS),
        ("followup.consent.record", "legal_basis", vocabulary.LEGAL_BASIS_LABELS),
        ("res.partner", "followup_preferred_channel", vocabulary.CHANNEL_LABELS),
        ("followup.forecast.line", "channel", vocabulary.STEP_CHANNEL_LABELS),
        ("followup.forecast.line", "reason", vocabulary.REASON_LABELS),
        # A forecast never predicts a failure: every other state of the log.
        (
            "followup.forecast.line",
            "state",
            tuple(
                pair for pair in vocabulary.DISPATCH_STATE_LABELS if pair[0] != vocabulary.FAILED
            ),
        ),
    ]

    def _selection(self, model, fname):
        # English labels as users get them: through ir.model.fields.selection for static
        # selections (where translations hang), through the method for dynamic ones.
        env = self.env(context=dict(self.env.context, lang="en_US"))
        return env[model]._fields[fname]._description_selection(env)

    def test_every_selection_equals_the_policys_words(self):
        for model, fname, pairs in self.FIELDS:
            with self.subTest(field=f"{model}.{fname}"):
                self.assertEqual(self._selection(model, fname), list(pairs))

    def test_the_stored_selection_rows_equal_the_policys_words(self):
        """What the translations hang on (ir.model.fields.selection) follows too."""
        Selection = self.env["ir.model.fields.selection"].with_context(lang="en_US")
        for model, fname, pairs in self.FIELDS:
            field = self.env[model]._fields[fname]
            if field.related or not isinstance(field.selection, list):
                continue
            with self.subTest(field=f"{model}.{fname}"):
                rows = Selection.search(
                    [("field_id.model", "=", model), ("field_id.name", "=", fname)],
                    order="sequence, id",
                )
                self.assertEqual([(row.value, row.name) for row in rows], list(pairs))

    def test_the_policy_accepts_every_code_of_the_log(self):
        """The rules validate their inputs and outputs against the same words."""
        for channel in vocabulary.STEP_CHANNELS:
            for purpose in vocabulary.PURPOSES:
                decision.Request(1, channel, purpose)
        for reason in vocabulary.REASONS:
            decision.Decision(decision.DEFER, reason)

    def test_every_reason_reads_in_italian(self):
        """A reason added to the vocabulary without its Italian label would show
        English in an Italian dispatch log: every label of a reason (and of a stop
        reason) is translated."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
        )
        env_it = self.env(context=dict(self.env.context, lang="it_IT"))
        for model, fname, codes in (
            ("followup.dispatch", "reason", vocabulary.REASONS),
            ("followup.enrollment", "stop_reason", vocabulary.STOP_REASONS),
        ):
            english = dict(self._selection(model, fname))
            italian = dict(env_it[model]._fields[fname]._description_selection(env_it))
            for code in codes:
                with self.subTest(field=f"{model}.{fname}", code=code):
                    self.assertTrue(english.get(code))
                    self.assertTrue(italian.get(code))
                    self.assertNotEqual(italian[code], english[code])

    def test_every_reason_has_its_sentence(self):
        """A reason without a sentence of its own would read as the generic "not
        contacted" in the log: each has its method in the families' mapping."""
        sentences = self.env["followup.dispatch"]._followup_sentences()
        for code in vocabulary.REASONS:
            with self.subTest(code=code):
                self.assertIn(code, sentences)
                self.assertTrue(callable(sentences[code]))

    def test_every_channel_can_be_refused_on_the_partner(self):
        """The policy's refused channels are read from one flag per channel."""
        fields = self.env["res.partner"]._fields
        for channel in vocabulary.CHANNELS:
            with self.subTest(channel=channel):
                self.assertEqual(fields[f"followup_no_{channel}"].type, "boolean")

    def test_phone_channels_are_contact_channels_with_a_phone_blacklist(self):
        self.assertLessEqual(set(vocabulary.PHONE_CHANNELS), set(vocabulary.CHANNELS))
        facts = PartnerFacts(
            1, email_valid=True, phone_valid=True, sms_valid=True, phone_blacklisted=True
        )
        for channel in vocabulary.CHANNELS:
            with self.subTest(channel=channel):
                refused = decision.check(channel, facts, Settings(), WEDNESDAY_NOON)
                self.assertEqual(
                    refused.reason == vocabulary.BLACKLISTED,
                    channel in vocabulary.PHONE_CHANNELS,
                )
