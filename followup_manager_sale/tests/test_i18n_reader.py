"""Moved from followup_manager/tests/test_i18n_reader.py: the tests that need Sales."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.followup_manager.tests.common import FollowupDispatchCase
from odoo.addons.mail.tests.common import mail_new_test_user

from .common import FollowupSaleMixin

_ENGLISH_STARTS = ("Allowed", "Deferred", "Done", "Failed", "Skipped", "Stopped", "Suppressed")


def _load_italian(env):
    env["res.lang"]._activate_lang("it_IT")
    env["ir.module.module"]._load_module_terms(
        ["followup_manager", "followup_manager_sale"], ["it_IT"], overwrite=True
    )


@tagged("post_install", "-at_install")
class TestJobNotesInTheSalespersonsLanguageSale(FollowupSaleMixin, FollowupDispatchCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_italian(cls.env)
        cls.company.write({"followup_inactive_days": 365})
        cls.salesman_it = mail_new_test_user(
            cls.env,
            login="fm_venditore",
            name="Vittorio Venditore",
            groups="sales_team.group_sale_salesman",
            lang="it_IT",
            tz="Europe/Rome",
        )
        cls.product = cls.env["product.product"].create({"name": "Moka", "list_price": 30})
        cls.cliente = cls._create_customer("Chiara Cliente", "chiara", user_id=cls.salesman_it.id)

    def _last_note(self, record, *domain):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id), *domain],
            order="id desc",
            limit=1,
        )

    def test_the_daily_job_writes_the_lifecycle_note_in_the_salespersons_language(self):
        t0 = datetime(2025, 1, 6, 10, 0)
        with self._at(t0):
            order = self.env["sale.order"].create(
                {
                    "partner_id": self.cliente.id,
                    "order_line": [(0, 0, {"product_id": self.product.id})],
                }
            )
            order.action_confirm()
        self.assertEqual(self.cliente.lifecycle_stage, "customer")
        with self._at(t0 + timedelta(days=366)):
            self.env["res.partner"]._cron_followup_lifecycle()
        self.assertEqual(self.cliente.lifecycle_stage, "inactive")
        note = self._last_note(self.cliente, ("tracking_value_ids", "!=", False))
        self.assertIn("Nessun ordine confermato negli ultimi 365 giorni.", note.body)
        self.assertEqual(note.tracking_value_ids.new_value_char, "Inattivo")
        # The inactive customer entered the "partner_inactive" sequence: said in Italian.
        self.assertIn(
            "Sequenza di follow-up “Help us help you” avviata per Chiara Cliente",
            self._last_note(self.cliente).body,
        )
