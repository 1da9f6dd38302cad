from markupsafe import Markup

from odoo import fields, models

from .tools import activity_vals


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _followup_stop_request_activity(self, enrollments, document, message):
        """One activity for the salesperson: the person may have asked not to be
        contacted, record their decision (Record a Decision on the contact)."""
        self.ensure_one()
        activity_type = self.env.ref(
            "followup_manager.mail_activity_type_followup_stop_request", raise_if_not_found=False
        )
        user = self.user_id or enrollments.user_id[:1]
        if not activity_type or not user:
            return self.env["mail.activity"]
        # sudo: a customer's e-mail, handled by the gateway, asks a salesperson to
        # act; the activity only points at the contact and quotes the reply.
        activities = self.env["mail.activity"].sudo()
        if activities.search_count(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", self.id),
                ("activity_type_id", "=", activity_type.id),
            ],
            limit=1,
        ):
            return activities
        env = self.with_context(lang=user.partner_id.lang or self.env.lang).env
        link = Markup('<a href="/odoo/res.partner/%s">%s</a>') % (
            self.id,
            env._("Record a Decision"),
        )
        note = Markup("<p>%s</p><blockquote>%s</blockquote>") % (
            env._(
                "%(partner)s replied on %(document)s on %(date)s with words that may ask "
                "not to be contacted again. Read the reply and record their decision "
                "(%(link)s, Consent tab of the contact).",
                partner=self.display_name,
                document=document.display_name,
                date=fields.Datetime.to_string(message.date)[:16],
                link=link,
            ),
            document._followup_reply_text(message.body)[:500],
        )
        return activities.create(
            activity_vals(
                self,
                user,
                activity_type,
                env._("The customer may have asked not to be contacted: record their decision"),
                note,
            )
        )
