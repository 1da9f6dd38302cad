from collections import defaultdict
from datetime import date

from odoo import api, fields, models

from odoo.addons.followup_manager.policy import register as policy_register
from odoo.addons.followup_manager.policy import vocabulary


class ResPartner(models.Model):
    """The partner and the Italian opt-out register (Registro Pubblico delle Opposizioni).

    What is checked: the partner's Italian numbers (phone and mobile, E.164) and, for a
    partner in Italy, the postal address (``followup_rpo_address``, the one-line form the
    export writes and the answer is matched on). The register's answer per number or
    address lives in ``followup.rpo.entry`` (with its history); the partner's
    ``followup_rpo_state`` / ``followup_rpo_date`` sum them up (see
    ``policy.register.summary``) and follow both the answers and the partner's numbers.
    """

    _inherit = "res.partner"

    followup_rpo_address = fields.Char(
        string="Address for the Register",
        compute="_compute_followup_rpo_address",
        store=True,
        index=True,
        help="The postal address in Italy as it is checked against the opt-out register.",
    )
    followup_rpo_state = fields.Selection(
        selection=vocabulary.selection(vocabulary.REGISTER_STATE_LABELS),
        string="Opt-out Register",
        compute="_compute_followup_rpo_state",
        store=True,
        index=True,
        help="The answer of the Italian opt-out register (Registro Pubblico delle "
        "Opposizioni) for the partner's Italian numbers and address: registered if one "
        "is, not registered if all are checked and clear, not checked otherwise.",
    )
    followup_rpo_date = fields.Date(
        string="Register Answer Date",
        compute="_compute_followup_rpo_state",
        store=True,
        help="Date of the register's answer the state rests on (the oldest one used).",
    )

    @api.depends("street", "street2", "zip", "city", "state_id", "country_id")
    def _compute_followup_rpo_address(self):
        for partner in self:
            italian = partner.country_id.code == policy_register.COUNTRY
            key = italian and policy_register.address_key(
                partner.street,
                partner.street2,
                partner.zip,
                partner.city,
                partner.state_id.code,
            )
            partner.followup_rpo_address = key or False

    @api.depends("followup_phone_e164", "followup_mobile_e164", "followup_rpo_address")
    def _compute_followup_rpo_state(self):
        targets = self._followup_rpo_targets()
        answers = self.env["followup.rpo.entry"]._followup_answers(
            {target for partner_targets in targets.values() for target in partner_targets}
        )
        for partner in self:
            state, day = policy_register.summary(
                [answers.get(target) for target in targets[partner.id]]
            )
            partner.followup_rpo_state = state
            partner.followup_rpo_date = day or False

    def _followup_rpo_recompute(self):
        """Recompute the register state of these partners (a new answer arrived)."""
        for fname in ("followup_rpo_state", "followup_rpo_date"):
            self.env.add_to_compute(self._fields[fname], self)
        self.flush_recordset(["followup_rpo_state", "followup_rpo_date"])

    def _followup_rpo_targets(self):
        """{partner id: [(kind, value)]}: the Italian numbers and the address in Italy of
        each partner, i.e. what the register is asked about. Override to add one."""
        targets = {}
        for partner in self:
            numbers = [partner.followup_phone_e164, partner.followup_mobile_e164]
            found = [
                ("phone", number)
                for number in dict.fromkeys(numbers)
                if policy_register.is_italian_number(number)
            ]
            if partner.followup_rpo_address:
                found.append(("post", partner.followup_rpo_address))
            targets[partner.id] = found
        return targets

    @api.model
    def _followup_rpo_partners_by_target(self, targets):
        """{(kind, value): partners} for answers read from the register's file."""
        numbers = [value for kind, value in targets if kind == "phone"]
        addresses = [value for kind, value in targets if kind == "post"]
        # sudo: an answer concerns every partner with that number, whoever may see them;
        # only ids are used to refresh their register state.
        Partner = self.sudo()
        partners = Partner.browse()
        if numbers:
            partners |= Partner.search(
                [
                    "|",
                    ("followup_phone_e164", "in", numbers),
                    ("followup_mobile_e164", "in", numbers),
                ]
            )
        if addresses:
            partners |= Partner.search([("followup_rpo_address", "in", addresses)])
        found = defaultdict(lambda: Partner.browse())
        for partner, partner_targets in zip(
            partners, partners._followup_rpo_targets().values(), strict=True
        ):
            for target in partner_targets:
                found[target] |= partner
        return found

    # --- the list of checks due ------------------------------------------------------

    @api.model
    def _followup_rpo_due_partners(self, companies=None, today=None):
        """The partners enrolled in an active marketing sequence with a call or letter
        step, of a company applying the register, whose Italian numbers or address have
        no answer or one older than the company's period."""
        today = today or fields.Date.context_today(self)
        companies = companies or self.env["res.company"].search(
            [("followup_rpo_enabled", "=", True)]
        )
        due = self.browse()
        for company in companies.filtered("followup_rpo_enabled"):
            sequences = self.env["followup.sequence"]._followup_rpo_sequences(company)
            due |= self._followup_rpo_stale(sequences._followup_rpo_audience(), company, today)
        return due

    @api.model
    def _followup_rpo_stale(self, partners, company, today):
        """Those of ``partners`` with an Italian number or address that has no answer,
        or one older than the company's period."""
        limit = date.fromordinal(today.toordinal() - company.followup_rpo_days)
        targets = partners._followup_rpo_targets()
        answers = self.env["followup.rpo.entry"]._followup_answers(
            {target for partner_targets in targets.values() for target in partner_targets}
        )

        def stale(partner):
            replies = [answers.get(target) for target in targets[partner.id]]
            return any(reply is None or reply.date < limit for reply in replies)

        return partners.filtered(stale)

    @api.model
    def action_followup_rpo_due(self):
        """The partners whose register check is missing or stale (menu and reminder).
        For whoever may read the sequences: it lists their audience."""
        self.env["followup.sequence"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_it_followup_manager.res_partner_action_followup_rpo_due"
        )
        action["domain"] = [("id", "in", self._followup_rpo_due_partners().ids)]
        return action

    def action_followup_rpo_export(self):
        """Open the export of these partners' numbers and addresses for the register."""
        return self.env["followup.rpo.export"]._followup_open(self)
