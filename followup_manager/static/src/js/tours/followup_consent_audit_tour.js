/** @odoo-module **/

import { registry } from "@web/core/registry";

// An auditor lists who withdrew their consent, opens one of them, reads the
// decision with the wording the person saw, then the partner's whole history
// from the partner form. The data comes from the Python test
// (test_tour_consent_audit.py): Audrey unsubscribed in one click, Gary did not.
registry.category("web_tour.tours").add("followup_consent_audit_tour", {
    steps: () => [
        {
            content: "The consent list shows everybody",
            trigger: ".o_list_renderer .o_data_row:contains('Gary Granted')",
        },
        {
            content: "Open the filters",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only withdrawn consents",
            trigger: ".o_filter_menu .o_menu_item:contains('Withdrawn')",
            run: "click",
        },
        {
            content: "Gary still agrees: he is filtered out",
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Gary Granted')))",
        },
        {
            content: "Open Audrey's withdrawn e-mail consent",
            trigger: ".o_data_row:contains('Audrey Audit') td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The form says withdrawn",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Withdrawn')",
        },
        {
            content: "Open the history of this consent",
            trigger: ".o_form_view button[name='action_open_events']",
            run: "click",
        },
        {
            content: "Two decisions: the grant and the one-click withdrawal",
            trigger:
                ".o_list_renderer:has(.o_data_row:contains('manual')) .o_data_row:contains('One-click unsubscribe')",
        },
        {
            content: "Open the withdrawal",
            trigger: ".o_data_row:contains('One-click unsubscribe') td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The proof says how it happened, read-only",
            trigger: ".o_form_view .o_field_widget[name='proof']:contains('One-click unsubscribe')",
        },
        {
            content: "Go to the partner",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] a",
            run: "click",
        },
        {
            content: "Open the partner's consent history from the smart button",
            trigger: ".o_form_view button[name='action_followup_open_consent_events']",
            run: "click",
        },
        {
            content: "The partner's history lists both decisions",
            trigger: ".o_list_renderer:has(.o_data_row:contains('manual')):has(.o_data_row:contains('One-click unsubscribe'))",
        },
    ],
});
