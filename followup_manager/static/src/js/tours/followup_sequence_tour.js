/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// No sideways scrolling: the page, the view and the steps' table fit the window.
function assertNoSidewaysScroll() {
    const boxes = {
        page: document.scrollingElement,
        view: document.querySelector(".o_action_manager .o_content"),
        steps: document.querySelector(".o_field_widget[name=step_ids] .o_list_renderer"),
    };
    for (const [name, box] of Object.entries(boxes)) {
        if (!box) {
            throw new Error(`No ${name} to measure`);
        }
        if (box.scrollWidth > box.clientWidth + 1) {
            throw new Error(
                `The ${name} scrolls sideways: ${box.scrollWidth}px in ${box.clientWidth}px`
            );
        }
    }
}

// From the sequences' kanban: a new sequence, named.
export function newSequenceSteps(name) {
    return [
        {
            content: "Create a sequence",
            trigger: ".o-kanban-button-new",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: `edit ${name}`,
        },
    ];
}

// In the preview dialog: type where the test goes, send it, read where it went.
export function sendTestSteps(address) {
    return [
        {
            content: "Type where the test goes",
            trigger: ".modal .o_field_widget[name=test_email_to] input",
            run: `edit ${address}`,
        },
        {
            content: "Send the test",
            trigger: ".modal button[name=action_send_test]",
            run: "click",
        },
        {
            content: "The notification says where it went",
            trigger: `.o_notification:contains(was sent to ${address})`,
        },
    ];
}

// A CRM manager builds a quote chase in its form: a call at once, then an e-mail two
// business days later, each step built in its dialog (only what its action needs).
registry.category("web_tour.tours").add("followup_sequence_tour", {
    steps: () => [
        ...newSequenceSteps("Tour Sequence"),
        {
            content: "No purpose is chosen for the manager: choose Service",
            trigger: ".o_field_widget[name=purpose] input[data-value=service]:not(:checked)",
            run: "click",
        },
        {
            content: "Add the first step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The step opens in its dialog: name it",
            trigger: ".modal .o_form_view .o_field_widget[name=name] input",
            run: "edit First call",
        },
        {
            content: "An activity: no e-mail template to fill in",
            trigger: ".modal .o_form_view:not(:has(.o_field_widget[name=mail_template_id])) .o_field_widget[name=activity_type_id]",
        },
        {
            content: "Save it",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Add the second step",
            trigger: ".o_field_widget[name=step_ids]:has(.o_data_row:contains(First call)) .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Name the second step",
            trigger: ".modal .o_form_view .o_field_widget[name=name] input",
            run: "edit Reminder about your quotation",
        },
        {
            content: "Two business days after the first one",
            trigger: ".modal .o_field_widget[name=delay] input",
            run: "edit 2",
        },
        {
            content: "in business days",
            trigger: ".modal .o_field_widget[name=delay_unit] select",
            run: "selectByLabel Business Days",
        },
        {
            content: "An e-mail",
            trigger: ".modal .o_field_widget[name=action] select",
            run: "selectByLabel E-mail from a template",
        },
        {
            content: "The dialog now asks for a template, not an activity",
            trigger: ".modal .o_form_view:not(:has(.o_field_widget[name=activity_type_id])) .o_field_widget[name=mail_template_id] input",
            run: "edit help us help you",
        },
        {
            content: "Choose the template",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(help us help you)",
            run: "click",
        },
        {
            content: "Save the step",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The steps read as a timeline",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2):contains(After 2 business days):contains(E-mail):contains(The contact)",
        },
        ...stepUtils.saveForm(),
        {
            content: "Both steps are saved",
            trigger: ".o_form_saved .o_field_widget[name=step_ids] .o_data_row:nth-child(2):contains(Reminder about your quotation)",
        },
        {
            content: "Nothing scrolls sideways at 1280×800",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2)",
            run: assertNoSidewaysScroll,
        },
    ],
});

// A demo sequence with three steps, opened at 1280×800: its form and its steps fit.
registry.category("web_tour.tours").add("followup_sequence_width_tour", {
    steps: () => [
        {
            content: "The steps are shown",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(3)",
            run: assertNoSidewaysScroll,
        },
    ],
});

// The e-mail step previewed on the manager's own contact (nobody entered yet), and its
// test sent to a typed address.
registry.category("web_tour.tours").add("followup_step_preview_tour", {
    steps: () => [
        {
            content: "Preview the e-mail step",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:nth-child(2) button[name=action_open_preview]",
            run: "click",
        },
        {
            content: "It is rendered on your own contact",
            trigger: ".modal .o_field_widget[name=subject]:contains(Help us help you, Mia Manager)",
        },
        ...sendTestSteps("boss@example.com"),
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
