"""The add-on speaks Italian: its terms load from i18n/it.po, its mail
templates render in the recipient's language with dates formatted by babel,
and sentences built in Python come out in the language of the environment."""

import re
from html import unescape

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from ..policy import vocabulary
from .common import FollowupCase


@tagged("post_install", "-at_install")
class TestI18nItalian(FollowupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("it_IT")
        cls.env["ir.module.module"]._load_module_terms(
            ["followup_manager"], ["it_IT"], overwrite=True
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
        cls.template_confirmation = cls.env.ref(
            "followup_manager.mail_template_followup_email_confirmation"
        )

    def _render(self, template, record):
        return template._generate_template(record.ids, ["subject", "body_html"])[record.id]

    def test_double_opt_in_mail_shows_the_python_wording_in_italian(self):
        """The request text comes from Python (and is kept as the consent
        proof): it must follow the recipient's language like the template."""
        values = self._render(self.template_confirmation, self.partner_it)
        company = self.partner_it.company_id or self.env.company
        self.assertEqual(
            values["subject"],
            f"{company.name}: conferma che desideri ricevere le nostre e-mail",
        )
        body = values["body_html"]
        self.assertIn(f"{company.name} vorrebbe inviarti e-mail su offerte", body)
        self.assertIn("Il link è valido per", body)
        self.assertIn("Sì, accetto di ricevere e-mail", body)
        self.assertIn("non ti scriveremo senza la tua conferma", body)
        # Also when the caller's environment is English: the partner's language wins.
        self.assertIn(
            "vorrebbe inviarti e-mail", self.partner_it._followup_email_confirmation_wording()
        )
        self.assertNotIn("would like to send you", body)

    def test_every_mail_template_of_the_add_on_is_translated(self):
        templates = self.env["ir.model.data"].search(
            [("module", "=", "followup_manager"), ("model", "=", "mail.template")]
        )
        self.assertTrue(templates)
        for template in self.env["mail.template"].browse(templates.mapped("res_id")):
            with self.subTest(template=template.name):
                italian = template.with_context(lang="it_IT")
                # A template without a subject answers its document's thread ("Re: ...",
                # written by the dispatch in the partner's language).
                if template.subject:
                    self.assertNotEqual(
                        italian.subject, template.with_context(lang="en_US").subject
                    )
                self.assertNotEqual(
                    italian.body_html, template.with_context(lang="en_US").body_html
                )
                self.assertNotEqual(italian.name, template.with_context(lang="en_US").name)

    def test_the_demo_sequences_steps_and_templates_read_in_italian(self):
        """The demo of the core and of every companion installed with it: each
        sequence, step and template has its Italian name (each step an xml id, so
        that the .po files reach it)."""
        Module = self.env["ir.module.module"]
        modules = Module.search(
            [("name", "like", "followup_manager"), ("state", "=", "installed")]
        ).mapped("name")
        Module._load_module_terms(modules, ["it_IT"], overwrite=True)
        data = self.env["ir.model.data"].search(
            [
                ("module", "in", modules),
                (
                    "model",
                    "in",
                    ["followup.sequence", "followup.step", "mail.template", "sms.template"],
                ),
                ("name", "=like", "%_demo"),
            ]
        )
        records = [self.env[row.model].browse(row.res_id) for row in data]
        sequences = self.env["followup.sequence"].union(
            *(r for r in records if r._name == "followup.sequence")
        )
        self.assertTrue(sequences)
        # Every step of a demo sequence is a demo record of its own.
        self.assertEqual(
            set(sequences.with_context(active_test=False).step_ids.ids),
            {r.id for r in records if r._name == "followup.step"},
        )
        for record in records:
            with self.subTest(model=record._name, name=record.name):
                self.assertNotEqual(
                    record.with_context(lang="it_IT").name,
                    record.with_context(lang="en_US").name,
                )

    def test_constraint_message_is_italian(self):
        with self.assertRaisesRegex(
            ValidationError,
            "Le fasce orarie di contatto preferite devono essere comprese tra 0:00 e 24:00",
        ):
            self.partner_it.with_env(self.env_it).write({"followup_hours_start": 25.0})

    def test_dispatch_sentence_is_italian(self):
        # The very call of the dispatcher's weekend note (followup_dispatcher.py).
        note = self.env_it._(
            "Deferred: it is the weekend in %(country)s for %(partner)s; next try on %(when)s.",
            country="Italia",
            partner="Giulia Bianchi",
            when="2026-11-30 09:00 (Europe/Rome)",
        )
        self.assertEqual(
            note,
            "Rinviato: è fine settimana per Giulia Bianchi (Italia); prossimo tentativo "
            "il 2026-11-30 09:00 (Europe/Rome).",
        )

    def test_dispatch_reasons_and_menus_are_italian(self):
        reasons = dict(
            self.env_it["followup.dispatch"]._fields["reason"]._description_selection(self.env_it)
        )
        self.assertEqual(reasons["cap"], "Limite di frequenza raggiunto")
        self.assertEqual(reasons["withdrawn"], "Consenso revocato")
        menu = self.env.ref("followup_manager.followup_dispatch_report_menu")
        self.assertEqual(menu.with_env(self.env_it).name, "Analisi degli invii")

    def test_the_vocabulary_reads_the_same_in_italian_on_every_field(self):
        """Labels written once (policy/vocabulary.py) are translated on every selection
        built from them: one Italian word per channel, reason or purpose."""

        def labels(model, fname):
            field = self.env_it[model]._fields[fname]
            return dict(field._description_selection(self.env_it))

        channels = labels("followup.step", "channel")
        self.assertEqual(channels["phone"], "Telefono")
        self.assertEqual(channels["none"], "Nessuno (attività interna)")
        self.assertEqual(labels("followup.dispatch", "channel"), channels)
        self.assertEqual(labels("followup.forecast.line", "channel"), channels)
        contact_channels = {code: channels[code] for code in vocabulary.CHANNELS}
        for model, fname in (
            ("followup.consent", "channel"),
            ("followup.consent.event", "channel"),
            ("followup.consent.record", "channel"),
            ("res.partner", "followup_preferred_channel"),
        ):
            with self.subTest(field=f"{model}.{fname}"):
                self.assertEqual(labels(model, fname), contact_channels)
        reasons = labels("followup.dispatch", "reason")
        self.assertEqual(labels("followup.forecast.line", "reason"), reasons)
        self.assertEqual(reasons["cap"], "Limite di frequenza raggiunto")
        self.assertEqual(labels("followup.sequence", "purpose")["service"], "Servizio")
        self.assertEqual(labels("followup.dispatch", "purpose")["service"], "Servizio")

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
