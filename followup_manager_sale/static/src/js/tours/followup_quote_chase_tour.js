/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { newSequenceSteps, sendTestSteps } from "@followup_manager/js/tours/followup_sequence_tour";

// A sales manager's quote chase, built in the sequence's form: it starts when a
// quotation is sent (and says when it stops), an e-mail about the quotation two
// business days later, then a call task; the e-mail previewed on a customer's
// quotation with its verdict, and a test sent to a typed address.
registry.category("web_tour.tours").add("followup_quote_chase_tour", {
    steps: () => [
        ...newSequenceSteps("Quote Chase"),
        {
            content: "It starts when a quotation is sent",
            trigger: ".o_field_widget[name=trigger] select",
            run: "selectByLabel Quotation sent",
        },
        {
            content: "The form says when it stops by itself",
            trigger: ".o_followup_trigger_rules:contains(Stops by itself when):contains(confirmed)",
        },
        {
            content: "Its purpose: the customer asked for the quotation (service)",
            trigger: ".o_field_widget[name=purpose] input[data-value=service]:not(:checked)",
            run: "click",
        },
        {
            content: "Add the e-mail step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name it in its dialog",
            trigger: ".modal .o_form_view .o_field_widget[name=name] input",
            run: "edit Reminder about your quotation",
        },
        {
            content: "Two",
            trigger: ".modal .o_field_widget[name=delay] input",
            run: "edit 2",
        },
        {
            content: "business days after the quotation was sent",
            trigger: ".modal .o_field_widget[name=delay_unit] select",
            run: "selectByLabel Business Days",
        },
        {
            content: "An e-mail",
            trigger: ".modal .o_field_widget[name=action] select",
            run: "selectByLabel E-mail from a template",
        },
        {
            content: "The dialog asks for a template",
            trigger: ".modal .o_field_widget[name=mail_template_id] input",
            run: "edit reminder about your quotation",
        },
        {
            content: "Choose the quotation reminder",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(reminder about your quotation)",
            run: "click",
        },
        {
            content: "Save the step",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Add the call",
            trigger: ".o_field_widget[name=step_ids]:has(.o_data_row:contains(Reminder about your quotation)) .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the call task",
            trigger: ".modal .o_form_view .o_field_widget[name=name] input",
            run: "edit Call about the quotation",
        },
        {
            content: "One business day after the e-mail",
            trigger: ".modal .o_field_widget[name=delay] input",
            run: "edit 1",
        },
        {
            content: "in business days",
            trigger: ".modal .o_field_widget[name=delay_unit] select",
            run: "selectByLabel Business Days",
        },
        {
            content: "An activity: no template to fill in",
            trigger: ".modal .o_form_view:not(:has(.o_field_widget[name=mail_template_id])) .o_field_widget[name=activity_type_id]",
        },
        {
            content: "Save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The steps read as a timeline",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(1):contains(After 2 business days):contains(E-mail)",
        },
        ...stepUtils.saveForm(),
        {
            content: "Preview the e-mail",
            trigger: ".o_form_saved .o_field_widget[name=step_ids] .o_data_row:nth-child(1) button[name=action_open_preview]",
            run: "click",
        },
        {
            content: "Nobody entered yet and you have no quotation: it asks for a document",
            trigger: ".modal .alert-warning:contains(Choose the document)",
        },
        {
            content: "Render it for a customer",
            trigger: ".modal .o_field_widget[name=partner_id] input",
            run: "edit Chased Customer",
        },
        {
            content: "Choose the customer",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(Chased Customer)",
            run: "click",
        },
        {
            content: "Their quotation is taken: the subject names it",
            trigger: ".modal .o_field_widget[name=subject]:contains(Your quotation QC-TOUR-1)",
        },
        {
            content: "The verdict: they would not get it, and why",
            trigger: ".modal .alert-warning [name=verdict]:contains(opt-out list)",
        },
        {
            content: "The quotation's PDF goes with it",
            trigger: ".modal .o_field_widget[name=attachment_names]:contains(QC-TOUR-1)",
        },
        ...sendTestSteps("boss@example.com"),
    ],
});
