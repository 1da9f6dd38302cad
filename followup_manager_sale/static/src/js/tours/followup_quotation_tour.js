/** @odoo-module **/

import { registry } from "@web/core/registry";

// A salesperson sends a quotation by e-mail and finds its reminder enrolled (the
// order's Follow-ups button); confirming the quotation stops the reminder, as the
// chatter says. The Python test opens the quotation and checks the enrollment.
registry.category("web_tour.tours").add("followup_quotation_tour", {
    steps: () => [
        {
            content: "Send the quotation by e-mail",
            trigger: ".o_form_view button#send_by_email_primary",
            run: "click",
        },
        {
            content: "Send the e-mail the composer prepared",
            trigger: ".modal .o_mail_send",
            run: "click",
        },
        {
            content: "The quotation is sent",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Quotation Sent)",
        },
        {
            content: "Its follow-ups are one click away",
            trigger: ".o_form_view .oe_stat_button[name=action_view_followup_enrollments]",
            run: "click",
        },
        {
            content: "The quotation reminder is enrolled",
            trigger: ".o_list_view .o_data_row:contains(Tour quote reminder)",
        },
        {
            content: "Back to the quotation",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Confirm the quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "The chatter says the reminder stopped",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Quotation confirmed)",
        },
    ],
});
