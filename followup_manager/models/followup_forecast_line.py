from odoo import api, fields, models


class FollowupForecastLine(models.Model):
    """How many decisions of one kind the forecast expects on one day."""

    _name = "followup.forecast.line"
    _description = "Follow-up Forecast Line"
    _order = "forecast_id, date, id"
    _rec_name = "date"

    forecast_id = fields.Many2one(
        "followup.forecast", required=True, index=True, ondelete="cascade"
    )
    sequence_id = fields.Many2one(related="forecast_id.sequence_id", store=True)
    company_id = fields.Many2one(related="forecast_id.company_id", store=True, index=True)
    date = fields.Date(string="Day", required=True)
    step_id = fields.Many2one("followup.step", ondelete="cascade")
    channel = fields.Selection(selection="_selection_channel")
    user_id = fields.Many2one("res.users", string="Salesperson")
    state = fields.Selection(selection="_selection_state", string="Outcome", required=True)
    reason = fields.Selection(selection="_selection_reason")
    population = fields.Selection(
        [
            ("enrolled", "Already enrolled"),
            ("matching", "Matching contacts enrolled now"),
            ("trigger", "Expected from the trigger"),
        ],
        string="Who",
    )
    conditional = fields.Boolean(
        string="Unknown Until Due",
        help="The step has a condition on the followed-up document: counted as if it "
        "held, which only the moment the step falls due can tell.",
    )
    count = fields.Integer(string="Decisions", aggregator="sum")

    # The codes and labels are the dispatch log's: a forecast line counts rows the
    # dispatch would write.
    @api.model
    def _selection_channel(self):
        return self.env["followup.dispatch"]._fields["channel"]._description_selection(self.env)

    @api.model
    def _selection_state(self):
        states = self.env["followup.dispatch"]._fields["state"]._description_selection(self.env)
        return [(value, label) for value, label in states if value != "failed"]

    @api.model
    def _selection_reason(self):
        return self.env["followup.dispatch"]._fields["reason"]._description_selection(self.env)
