from markupsafe import Markup

from odoo import fields, models

from .tools import FOLLOWUP_READERS

# The channels the "May we contact them now?" block answers for, in its order:
# e-mail and SMS steps, and the calls an activity step asks a salesperson to make.
CONTACT_NOW_CHANNELS = ("email", "sms", "phone")


class ResPartner(models.Model):
    """ "May we contact them now?" on the contact: the answer of followup_check for
    each channel, in words, so that a person without decisions in the log still has
    an answer to "why was this person not contacted?"."""

    _inherit = "res.partner"

    followup_contact_now_html = fields.Html(
        string="May We Contact Them Now?",
        compute="_compute_followup_contact_now_html",
        sanitize=False,  # built below from escaped values only
        groups=FOLLOWUP_READERS,
    )

    def _followup_contact_now_channels(self):
        """The channels the block answers for; override to add some."""
        return CONTACT_NOW_CHANNELS

    def _compute_followup_contact_now_html(self):
        saved = self.filtered("id")
        (self - saved).followup_contact_now_html = False
        if not saved:
            return
        # The answers are followup_check's (the same policy as the dispatch), with
        # their sentence in the reader's language.
        lang = self.env.lang or "en_US"
        checked = saved.with_context(lang=lang)
        answers = {
            channel: {result["partner_id"]: result for result in checked.followup_check(channel)}
            for channel in self._followup_contact_now_channels()
        }
        for partner in saved:
            partner.followup_contact_now_html = self._followup_contact_now_table(
                [(channel, answers[channel][partner.id]) for channel in answers]
            )

    def _followup_contact_now_table(self, rows):
        """The HTML table of ``rows``: (channel, followup_check answer) pairs."""
        Dispatch = self.env["followup.dispatch"]
        reasons = dict(Dispatch._fields["reason"]._description_selection(self.env))
        head = Markup(
            '<table class="table table-sm o_followup_contact_now mb-1"><thead><tr>'
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Channel"),
            self.env._("Now?"),
            self.env._("Why"),
            self.env._("Possible From"),
        )
        body = Markup()
        for channel, answer in rows:
            if answer["allowed"]:
                badge, label = "text-bg-success", self.env._("Yes")
            elif answer["next_allowed"]:
                badge, label = "text-bg-warning", self.env._("Later")
            else:
                badge, label = "text-bg-danger", self.env._("No")
            when = (
                Dispatch._followup_format_datetime(answer["next_allowed"])
                if answer["next_allowed"]
                else ("" if answer["allowed"] else self.env._("Not until this changes"))
            )
            # Why: the reason's label (as in the log's filters), then its sentence.
            why = Markup('<span class="text-muted small">%s</span>') % (
                answer.get("sentence") or ""
            )
            if answer["reason"]:
                why = Markup("<strong>%s</strong><br/>%s") % (
                    reasons.get(answer["reason"], answer["reason"]),
                    why,
                )
            body += Markup(
                '<tr data-channel="%s"><td>%s</td><td><span class="badge rounded-pill %s">'
                "%s</span></td><td>%s</td><td>%s</td></tr>"
            ) % (
                channel,
                Dispatch._followup_channel_label(channel),
                badge,
                label,
                why,
                when,
            )
        note = Markup('<p class="text-muted small mb-0">%s</p>') % self.env._(
            "The answers apply the rules of a marketing follow-up, the strictest. A service "
            "follow-up needs no consent (a withdrawal still binds it); internal tasks, "
            "which contact nobody, are always allowed."
        )
        return head + body + Markup("</tbody></table>") + note
