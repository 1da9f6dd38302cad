/** @odoo-module **/

import { registry } from "@web/core/registry";

// A sales manager pauses a sequence (a product recall) from its form and resumes it.
// The Python test opens the sequence and checks its follow-ups.
registry.category("web_tour.tours").add("followup_pause_sequence_tour", {
    steps: () => [
        {
            content: "Pause the sequence",
            trigger: ".o_form_view .o_form_statusbar button[name=action_pause]",
            run: "click",
        },
        {
            content: "The sequence says it is paused",
            trigger: ".o_form_view .alert-info:contains(This sequence is paused)",
        },
        {
            content: "Resume it",
            trigger: ".o_form_view .o_form_statusbar button[name=action_resume]",
            run: "click",
        },
        {
            content: "It can be paused again: it runs",
            trigger: ".o_form_view .o_form_statusbar button[name=action_pause]",
        },
    ],
});

// A salesperson opens "My Follow-ups" and snoozes one follow-up until after the fair.
registry.category("web_tour.tours").add("followup_snooze_mine_tour", {
    steps: () => [
        {
            content: "My follow-up of the tour customer is listed",
            trigger: ".o_list_view .o_data_row:contains(Snooze Tour Customer)",
        },
        {
            content: "Snooze it",
            trigger:
                ".o_list_view .o_data_row:contains(Snooze Tour Customer) button[name=action_open_snooze_wizard]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit After the fair",
        },
        {
            content: "Confirm",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
