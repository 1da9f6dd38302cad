"""A step read as a line of a timeline, as Odoo's activity plans show theirs: when it
comes ("After 2 business days"), what it does ("E-mail · “Reminder about your
quotation”") and for whom ("Salesperson of the document"). The sequence's steps list
shows these few columns; the step's dialog (followup_step_view_form) edits the rest."""

from odoo import api, fields, models


class FollowupStepTimeline(models.AbstractModel):
    """A step as a line of its sequence's timeline (see the module's docstring)."""

    _name = "followup.step.timeline"
    _description = "Follow-up Step: Timeline"

    delay_label = fields.Char(string="When", compute="_compute_timeline")
    what_label = fields.Char(string="What", compute="_compute_timeline")
    who_label = fields.Char(string="Who", compute="_compute_timeline")
    has_condition = fields.Boolean(compute="_compute_timeline")

    @api.depends(
        "delay",
        "delay_unit",
        "action",
        "channel_choice",
        "channel_order",
        "activity_type_id",
        "activity_summary",
        "mail_template_id",
        "server_action_id",
        "responsible_type",
        "responsible_id",
        "condition_domain",
    )
    @api.depends_context("lang")
    def _compute_timeline(self):
        units = {
            "hours": (self.env._("hour"), self.env._("hours")),
            "days": (self.env._("day"), self.env._("days")),
            "business_days": (self.env._("business day"), self.env._("business days")),
            "weeks": (self.env._("week"), self.env._("weeks")),
        }
        for step in self:
            if step.delay:
                singular, plural = units.get(step.delay_unit, ("", ""))
                step.delay_label = self.env._(
                    "After %(delay)s %(unit)s",
                    delay=step.delay,
                    unit=singular if step.delay == 1 else plural,
                )
            else:
                step.delay_label = self.env._("At once")
            step.what_label = step._followup_what_label()
            step.who_label = step._followup_who_label()
            step.has_condition = bool(step.condition_domain and step.condition_domain != "[]")

    def _followup_what_label(self):
        """What the step does, in a few words: the channel and the template or the
        activity it uses. Override to describe a new action."""
        self.ensure_one()
        if self.channel_choice == "preferred":
            orders = dict(self._fields["channel_order"]._description_selection(self.env))
            return self.env._(
                "Preferred channel · %(order)s", order=orders.get(self.channel_order, "")
            )
        target = {
            "email": (self.env._("E-mail"), self.mail_template_id.name),
            "activity": (
                self.activity_type_id.name or self.env._("Activity"),
                self.activity_summary,
            ),
            "server_action": (self.env._("Server action"), self.server_action_id.name),
        }.get(self.action)
        if not target:
            return ""
        kind, name = target
        return f"{kind} · “{name}”" if name else kind

    def _followup_who_label(self):
        """Who carries the step out or receives it: the assignee of an activity, the
        contact for a message."""
        self.ensure_one()
        offers_call = self.channel_choice == "preferred" and "phone" in self.channel_order
        if self.action != "activity" and not offers_call:
            if self.action == "server_action" and self.channel_choice != "preferred":
                return ""
            return self.env._("The contact")
        if self.responsible_type == "fixed_user":
            return self.responsible_id.name or ""
        return {
            "origin_salesperson": self.env._("Salesperson"),
            "partner_salesperson": self.env._("Contact's salesperson"),
        }.get(self.responsible_type, "")

    @api.onchange("channel_choice", "channel_order", "action")
    def _onchange_followup_targets(self):
        """A step that no longer uses a template or an activity type forgets it, so
        the dialog saves only what the chosen action needs."""
        parts = self._followup_preferred_parts()
        targets = self._followup_action_targets()
        if self.channel_choice == "preferred":
            used = {
                parts[channel][1]
                for channel in (self.channel_order or "").split("_")
                if channel in parts
            }
        else:
            used = {targets[self.action][0]} if self.action in targets else set()
        forgotten = {field_name for field_name, _what in targets.values()} - {"activity_type_id"}
        for field_name in sorted(forgotten):
            if field_name not in used and self[field_name]:
                self[field_name] = False
        if "activity_type_id" not in used:
            self.wait_for_activity = False
