"""Moved from followup_manager/tests/test_i18n.py: the tests that need Sales."""

import re
from html import unescape

from odoo.tests import Form, tagged

from odoo.addons.followup_manager.tests.common import FollowupCase

from .common import FollowupSaleMixin


@tagged("post_install", "-at_install")
class TestI18nItalianSale(FollowupSaleMixin, FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env["ir.module.module"]._load_module_terms(
            ["followup_manager", "followup_manager_sale"], ["it_IT"], overwrite=True
        )
        cls.env_it = cls.env(context=dict(cls.env.context, lang="it_IT"))
        cls.partner_it = cls.env["res.partner"].create(
            {
                "name": "Giulia Bianchi",
                "email": "giulia.bianchi@example.com",
                "lang": "it_IT",
                "country_id": cls.env.ref("base.it").id,
                "tz": "Europe/Rome",
            }
        )
        cls.partner_en = cls.env["res.partner"].create(
            {"name": "Emma Brown", "email": "emma.brown@example.com", "lang": "en_US"}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Standing desk", "list_price": 250}
        )
        cls.template_thank_you = cls.env.ref(
            "followup_manager_sale.mail_template_followup_sale_thank_you"
        )
        cls.template_confirmation = cls.env.ref(
            "followup_manager.mail_template_followup_email_confirmation"
        )

    def _order(self, partner):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": self.user_salesman.id,
                "date_order": "2026-11-23 10:00:00",
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 2})],
            }
        )

    def _render(self, template, record):
        return template._generate_template(record.ids, ["subject", "body_html"])[record.id]

    def test_thank_you_mail_is_italian_with_an_italian_date(self):
        order = self._order(self.partner_it)
        values = self._render(self.template_thank_you, order)
        self.assertEqual(values["subject"], f"Grazie per il tuo ordine {order.name}")
        body = values["body_html"]
        self.assertIn("Ciao Giulia Bianchi", body)
        self.assertIn("grazie per il tuo ordine", body)
        self.assertIn("effettuato il 23 novembre 2026", body)
        self.assertIn("Ecco cosa hai ordinato", body)
        self.assertIn("Standing desk", body)
        self.assertIn("Cordiali saluti", body)
        self.assertNotIn("Thank you", body)
        self.assertNotIn("November", body)

    def test_thank_you_mail_stays_english_for_an_english_partner(self):
        order = self._order(self.partner_en)
        values = self._render(self.template_thank_you, order)
        self.assertEqual(values["subject"], f"Thank you for your order {order.name}")
        self.assertIn("placed on November 23, 2026", values["body_html"])
        self.assertNotIn("novembre", values["body_html"])

    def _trigger_rules(self, lang, trigger, stop_on_reply=True):
        """What a manager reads under "Leaving" on a new sequence's form: the start
        sentence and the list of what stops it."""
        sequences = (
            self.env["followup.sequence"].with_user(self.user_manager).with_context(lang=lang)
        )
        form = Form(sequences)
        form.name = "Quote chase"
        form.trigger = trigger
        form.stop_on_reply = stop_on_reply
        html = str(form.trigger_rules)
        start = re.search(r"<p>(.*?)</p>", html).group(1)
        return unescape(start), [unescape(stop) for stop in re.findall(r"<li>(.*?)</li>", html)]

    def test_the_sequence_form_says_when_a_quote_chase_starts_and_stops(self):
        start, stops = self._trigger_rules("en_US", "quotation_sent")
        self.assertEqual(start, "Starts when a quotation is sent to the customer.")
        self.assertEqual(
            stops,
            [
                "the quotation is confirmed",
                "the quotation is cancelled",
                "the quotation expires (its validity date has passed)",
                "the person replies on the followed-up document (Stop On Reply)",
                "the person withdraws their consent for every channel the remaining steps use",
                "their e-mail address bounces and only e-mails are left",
                "the contact is archived",
                "the contact is merged into another",
            ],
        )
        start, stops = self._trigger_rules("it_IT", "quotation_sent", stop_on_reply=False)
        self.assertEqual(start, "Inizia quando un preventivo è inviato al cliente.")
        self.assertEqual(
            stops,
            [
                "il preventivo è confermato",
                "il preventivo è annullato",
                "il preventivo scade (la sua data di validità è passata)",
                "la persona revoca il consenso per tutti i canali usati dai passi rimanenti",
                "il suo indirizzo e-mail risulta non valido e restano solo e-mail",
                "il contatto è archiviato",
                "il contatto è unito a un altro",
            ],
        )

    def test_the_sequence_form_says_when_a_manual_sequence_starts_and_stops(self):
        start, stops = self._trigger_rules("en_US", "manual")
        self.assertEqual(
            start,
            "Starts when a user enrolls people by hand, from a contact or a followed-up document.",
        )
        self.assertEqual(
            stops[:4],
            [
                "the quotation is confirmed",
                "the quotation is cancelled",
                "the quotation expires (its validity date has passed)",
                "the followed-up document is cancelled or deleted",
            ],
        )
        start, stops = self._trigger_rules("it_IT", "manual")
        self.assertEqual(
            start,
            "Inizia quando un utente iscrive delle persone a mano, da un contatto o da un "
            "documento seguito.",
        )
        self.assertIn("il documento seguito è annullato o eliminato", stops)
        self.assertIn(
            "la persona risponde sul documento seguito (Interrompi alla risposta)", stops
        )
        # The words follow what the code stops: a quotation's confirmation ends the
        # sequences started when it was sent and those started by hand on it.
        self.assertCountEqual(
            self.env["followup.sequence"]._followup_stop_triggers("quotation_confirmed"),
            ("quotation_sent", "manual"),
        )
