from collections import defaultdict

from odoo import api, models

from odoo.addons.followup_manager.models.mail_thread import CONTEXT_AUTO_REPLY


class CrmLead(models.Model):
    """The opportunity as a followed-up document: won or lost, it starts the
    lead_won / lead_lost sequences; created from an e-mail, it is a question; an
    opportunity makes a visitor a prospect."""

    _name = "crm.lead"
    _inherit = ["crm.lead", "followup.origin.mixin"]

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._followup_lifecycle_on_leads()
        return leads

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        # An opportunity or a lead created from an incoming e-mail is a question: the
        # question_received sequences follow it up until an employee answers on it.
        # Only known senders are followed up (the lead's customer is the e-mail's
        # author when Odoo knows the address).
        lead = super().message_new(msg_dict, custom_values=custom_values)
        # An automatic reply is no question: answering it would start a mail loop
        # with another responder (mail_thread.py skips them on replies alike).
        if lead.partner_id and not self.env.context.get(CONTEXT_AUTO_REPLY):
            lead._followup_on_question_received(lead.partner_id)
        return lead

    def write(self, vals):
        # Odoo 18 has no won/lost state: a lead is won when it reaches a won stage
        # (action_set_won, or a drag in the kanban) and lost when it is archived
        # (action_set_lost). Watching write() catches every path.
        watch_outcome = "stage_id" in vals or "active" in vals
        if watch_outcome:
            was_won = self.filtered(lambda lead: lead.active and lead.stage_id.is_won)
            was_active = self.filtered("active")
        res = super().write(vals)
        if watch_outcome:
            now_won = self.filtered(lambda lead: lead.active and lead.stage_id.is_won)
            now_active = self.filtered("active")
            self._followup_on_won_lost(
                won=now_won - was_won,
                lost=was_active - now_active,
                restored=now_active - was_active,
            )
        if vals.keys() & {"partner_id", "type", "active"}:
            self._followup_lifecycle_on_leads()
        return res

    # --- Sequences: won/lost triggers, stop when lost or reopened
    # (smart button: followup.origin.mixin)
    def _followup_on_won_lost(self, won, lost, restored):
        """React to leads just won, lost (archived) or restored, in batch."""
        Enrollment = self.env["followup.enrollment"]
        Sequence = self.env["followup.sequence"]
        # A lead back in the game no longer needs winning back.
        Enrollment._followup_stop_for_origins(
            won | restored,
            "origin_reopened",
            triggers=Sequence._followup_stop_triggers("origin_reopened"),
        )
        # A lost lead: what followed it up before is over (its re-engagement starts below).
        Enrollment._followup_stop_for_origins(lost, "origin_cancelled")
        for trigger, leads in (("lead_won", won), ("lead_lost", lost)):
            targets = defaultdict(list)
            for lead in leads.filtered("partner_id"):
                targets[lead.company_id.id].append((lead.partner_id.id, self._name, lead.id))
            if targets:
                # sudo: enrolling is the system's reaction to a change the user was
                # allowed to make; it must not depend on their follow-up rights.
                self.env["followup.sequence"].sudo()._followup_fire(trigger, targets)

    # --- Lifecycle: an opportunity is a fact that makes a visitor a prospect
    def _followup_lifecycle_on_leads(self):
        """Recompute the stage of the customers of these opportunities, when it
        may change: visitors, and stages set by hand (a new fact ends them)."""
        partners = self.filtered(
            lambda lead: lead.type == "opportunity" and lead.active and lead.partner_id
        ).partner_id.commercial_partner_id
        partners.filtered(
            lambda partner: partner.lifecycle_stage == "visitor" or partner.lifecycle_stage_manual
        )._followup_recompute_lifecycle()
