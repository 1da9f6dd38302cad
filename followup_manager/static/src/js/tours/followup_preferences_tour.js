/** @odoo-module **/

import { registry } from "@web/core/registry";

// A person opens the preference page from the link in a follow-up e-mail and
// refuses e-mail; the page says what was saved. The start URL (with its token)
// is given by the Python test.
registry.category("web_tour.tours").add("followup_preferences_tour", {
    steps: () => [
        {
            content: "The page shows the current e-mail state",
            trigger: ".o_followup_channel_email .o_followup_channel_status:contains('You agreed on')",
        },
        {
            content: "E-mail is currently allowed",
            trigger: ".o_followup_channel_email input[value='yes']:checked",
        },
        {
            content: "Never e-mail me",
            trigger: ".o_followup_channel_email input[value='never']",
            run: "click",
        },
        {
            content: "Prefer SMS",
            trigger: "select[name='followup_preferred_channel']",
            run: "select sms",
        },
        {
            content: "Save",
            trigger: ".o_followup_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says what was saved",
            trigger: ".o_followup_saved:contains('Never e-mail me')",
        },
        {
            content: "The choice is kept",
            trigger: ".o_followup_channel_email input[value='never']:checked",
        },
    ],
});
