/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// A CRM manager builds a two-step follow-up sequence in its form: a call at once,
// then a second call two days later (steps edited inline in the list).
registry.category("web_tour.tours").add("followup_sequence_tour", {
    steps: () => [
        {
            content: "Create a sequence",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour Sequence",
        },
        {
            content: "Add the first step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the first step",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(1) .o_field_widget[name=name] input",
            run: "edit First call",
        },
        {
            content: "Add the second step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the second step",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2) .o_field_widget[name=name] input",
            run: "edit Second call",
        },
        {
            content: "Two days after the first one",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2) .o_field_widget[name=delay] input",
            run: "edit 2",
        },
        ...stepUtils.saveForm(),
        {
            content: "Both steps are saved",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2):contains(Second call)",
        },
    ],
});

// From a contact's form, the "Actions" menu enrolls the contact in that sequence.
registry.category("web_tour.tours").add("followup_sequence_enroll_tour", {
    steps: () => [
        {
            content: "Open the Actions menu",
            trigger: ".o_form_view .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Enroll in a follow-up sequence",
            trigger: ".o_menu_item:contains(Enroll in a follow-up sequence)",
            run: "click",
        },
        {
            content: "Pick the sequence",
            trigger: ".modal .o_field_widget[name=sequence_id] input",
            run: "edit Tour Sequence",
        },
        {
            content: "Choose it in the list",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(Tour Sequence)",
            run: "click",
        },
        {
            content: "Enroll",
            trigger: ".modal button[name=action_enroll]",
            run: "click",
        },
        {
            content: "The contact is enrolled",
            trigger: ".o_notification:contains(1 enrolled)",
        },
    ],
});
