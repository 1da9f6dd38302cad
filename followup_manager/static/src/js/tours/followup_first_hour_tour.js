/** @odoo-module **/

import { registry } from "@web/core/registry";
import { formatDateTime } from "@web/core/l10n/dates";

const { DateTime } = luxon;

// The manager's first hour, with the core alone (contacts, no orders, no leads).
// The Python test (tests/test_tour_first_hour.py) makes the user, the sequence and the
// contacts, and checks the database afterwards.

// The snooze date the manager types: in two days, 10:00 on the browser's clock (the
// Python test reads the same clock: the browser runs on its machine).
function snoozeUntil() {
    return DateTime.local()
        .plus({ days: 2 })
        .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
}

// A row of the list shown, by the name of its contact.
function row(name) {
    return `.o_data_row:contains(${name})`;
}

// No sideways scrolling at 1280×800: the window, the page, the form's sheet and the
// steps' table each fit their box.
function assertNoSidewaysScroll() {
    if (window.innerWidth !== 1280 || window.innerHeight !== 800) {
        throw new Error(`The window is ${window.innerWidth}×${window.innerHeight}, not 1280×800`);
    }
    const boxes = {
        page: document.scrollingElement,
        "form's sheet": document.querySelector(".o_form_view .o_form_sheet"),
        "form's sheet background": document.querySelector(".o_form_view .o_form_sheet_bg"),
        "steps' table container": document.querySelector(
            ".o_form_view .o_field_widget[name=step_ids] .o_list_renderer"
        ),
    };
    for (const [name, box] of Object.entries(boxes)) {
        if (!box) {
            throw new Error(`No ${name} to measure`);
        }
        if (box.scrollWidth > box.clientWidth) {
            throw new Error(
                `The ${name} scrolls sideways: ${box.scrollWidth}px in ${box.clientWidth}px`
            );
        }
    }
}

registry.category("web_tour.tours").add("followup_first_hour_tour", {
    steps: () => [
        // Contacts: three of them into the quote chase, from the list's Actions menu.
        {
            content: "Contacts open: show them as a list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Look for the new contacts",
            trigger: ".o_list_view .o_control_panel .o_searchview_input",
            run: "edit First Hour && press Enter",
        },
        {
            content: "The four contacts are listed, nobody else",
            trigger:
                `.o_list_view .o_list_table:has(${row("First Hour Dario")})` +
                ":not(:has(.o_data_row:not(:contains(First Hour))))",
        },
        {
            content: "Select Anna",
            trigger: `.o_list_view ${row("First Hour Anna")} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select Bruno",
            trigger: `.o_list_view ${row("First Hour Bruno")} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Select Carla",
            trigger: `.o_list_view ${row("First Hour Carla")} .o_list_record_selector input`,
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Enroll in a follow-up sequence",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Enroll in a follow-up sequence)",
            run: "click",
        },
        {
            content: "The dialog counts the three contacts",
            trigger: ".modal .o_field_widget[name=record_count]:contains(3)",
        },
        {
            content: "Pick the quote chase",
            trigger: ".modal .o_field_widget[name=sequence_id] input",
            run: "edit First Hour Chase",
        },
        {
            content: "Choose it in the list",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(First Hour Chase)",
            run: "click",
        },
        {
            content: "Its purpose is said",
            trigger: ".modal .o_field_widget[name=sequence_purpose]:contains(Service)",
        },
        {
            content: "Enroll",
            trigger: ".modal footer button[name=action_enroll]",
            run: "click",
        },
        {
            content: "The three are enrolled",
            trigger: ".o_notification:contains(3 enrolled)",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },

        // My Follow-ups, through the menus: the three are there.
        {
            content: "Open the apps menu",
            trigger: ".o_main_navbar .o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Follow-ups app",
            trigger: '.o-dropdown--menu .o_app[data-menu-xmlid="followup_manager.followup_manager_menu_root"]',
            run: "click",
        },
        {
            content: "Open the Follow-ups menu",
            trigger:
                '.o_main_navbar .o_menu_sections button[data-menu-xmlid="followup_manager.followup_manager_menu_followups"]',
            run: "click",
        },
        {
            content: "My Follow-ups",
            trigger:
                '.o-dropdown--menu [data-menu-xmlid="followup_manager.followup_enrollment_menu_mine"]',
            run: "click",
        },
        {
            content: "The three enrolled contacts are mine, active, with their first step",
            trigger:
                ".o_list_view" +
                `:has(${row("First Hour Anna")}:contains(Active):contains(Call about the quote))` +
                `:has(${row("First Hour Bruno")}:contains(Active))` +
                `:has(${row("First Hour Carla")}:contains(Active))` +
                `:not(:has(${row("First Hour Dario")}))`,
        },
        {
            content: "My Follow-ups is the page shown",
            trigger: ".o_control_panel .o_breadcrumb:contains(My Follow-ups)",
        },

        // Pause one.
        {
            content: "Pause Anna's follow-up",
            trigger: `.o_list_view ${row("First Hour Anna")} button[name=action_pause]`,
            run: "click",
        },
        {
            content: "It reads Paused, and can be resumed",
            trigger: `.o_list_view ${row("First Hour Anna")}:contains(Paused) button[name=action_resume]`,
        },

        // Snooze one, until a date typed in the snooze dialog.
        {
            content: "Snooze Bruno's follow-up",
            trigger: `.o_list_view ${row("First Hour Bruno")} button[name=action_open_snooze_wizard]`,
            run: "click",
        },
        {
            content: "The dialog is about Bruno",
            trigger: ".modal .o_field_widget[name=enrollment_ids]:contains(First Hour Bruno)",
        },
        {
            content: "Type the date",
            trigger: ".modal .o_field_widget[name=until] input",
            run: `edit ${formatDateTime(snoozeUntil())}`,
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit Back from the trade fair",
        },
        {
            content: "The date typed is taken",
            trigger: ".modal .o_field_widget[name=until] input",
            run() {
                const expected = formatDateTime(snoozeUntil());
                const value = this.anchor.value;
                if (value !== expected) {
                    throw new Error(`Snooze Until shows "${value}", not "${expected}"`);
                }
            },
        },
        {
            content: "Snooze",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The row says until when, not Active",
            trigger: `.o_list_view ${row("First Hour Bruno")}:contains(Snoozed until):not(:contains(Active))`,
        },

        // Stop one, with its reason.
        {
            content: "Stop Carla's follow-up",
            trigger: `.o_list_view ${row("First Hour Carla")} button[name=action_open_stop_wizard]`,
            run: "click",
        },
        {
            content: "One follow-up will stop",
            trigger: ".modal .o_field_widget[name=enrollment_count]:contains(1)",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Bought from a competitor",
        },
        {
            content: "Stop it",
            trigger: ".modal footer button[name=action_stop]",
            run: "click",
        },
        {
            content: "One follow-up stopped",
            trigger: ".o_notification:contains(stopped)",
        },
        {
            content: "The stopped one leaves My Follow-ups; the paused and snoozed ones stay",
            trigger:
                ".o_list_view" +
                `:not(:has(${row("First Hour Carla")}))` +
                `:has(${row("First Hour Anna")}:contains(Paused))` +
                `:has(${row("First Hour Bruno")}:contains(Snoozed until))`,
        },

        // The sequence's form and its steps fit 1280×800.
        {
            content: "Open the Follow-ups menu again",
            trigger:
                '.o_main_navbar .o_menu_sections button[data-menu-xmlid="followup_manager.followup_manager_menu_followups"]',
            run: "click",
        },
        {
            content: "Sequences",
            trigger:
                '.o-dropdown--menu [data-menu-xmlid="followup_manager.followup_sequence_menu_user"]',
            run: "click",
        },
        {
            content: "Open the quote chase",
            trigger: ".o_kanban_view .o_kanban_record:contains(First Hour Chase)",
            run: "click",
        },
        {
            content: "Its steps are shown: nothing scrolls sideways",
            trigger:
                ".o_form_view .o_field_widget[name=step_ids] .o_data_row:nth-child(2):contains(Second call)",
            run: assertNoSidewaysScroll,
        },
    ],
});
