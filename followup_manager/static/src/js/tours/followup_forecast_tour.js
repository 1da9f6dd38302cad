/** @odoo-module **/

import { registry } from "@web/core/registry";

// A sales manager forecasts a sequence from its form (nothing is sent), reads the
// forecast day by day as a graph and a pivot, then opens the reporting: the
// dispatch analysis and the list of forecasts. The Python test opens the sequence.
registry.category("web_tour.tours").add("followup_forecast_tour", {
    steps: () => [
        {
            content: "Forecast the sequence",
            trigger: ".o_form_view button.o_followup_forecast",
            run: "click",
        },
        {
            content: "The forecast of this sequence opens",
            trigger: ".o_form_view .o_field_widget[name=sequence_id]:contains(Forecast Tour)",
        },
        {
            content: "The three matching contacts are simulated",
            trigger: ".o_form_view .o_field_widget[name=matching_count]:contains(3)",
        },
        {
            content: "The assumptions are written down",
            trigger: ".o_form_view .o_field_widget[name=assumptions]:contains(as if you enrolled them all now)",
        },
        {
            content: "The headline gives the totals with their reasons",
            trigger: ".o_followup_forecast_headline li[data-state] strong",
        },
        {
            content: "A manual sequence shows no expected entries from a trigger",
            trigger: ".o_form_view:not(:has(.o_field_widget[name=trigger_count]))",
        },
        {
            content: "See it day by day",
            trigger: ".o_form_view button.o_followup_forecast_lines",
            run: "click",
        },
        {
            content: "A graph of every simulated day, in the user's date format",
            trigger: ".o_graph_view .o_graph_renderer canvas",
            run() {
                // 30 days from today: 31 days on the axis, those without decisions at
                // zero; each written as the list and the title write dates.
                const labels = window.Chart.getChart(this.anchor).data.labels;
                if (labels.length !== 31) {
                    throw new Error(`31 days expected on the axis, got ${labels.length}`);
                }
                const wrong = labels.filter((label) => !/^\d{2}\/\d{2}\/\d{4}$/.test(label));
                if (wrong.length) {
                    throw new Error(`days not in the user's date format: ${wrong}`);
                }
            },
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the steps",
            trigger: ".o_pivot th:contains(Tour call)",
        },
        {
            content: "Open the reporting menu",
            trigger: "button[data-menu-xmlid='followup_manager.followup_manager_menu_reporting']",
            run: "click",
        },
        {
            content: "Open the dispatch analysis",
            trigger: "a[data-menu-xmlid='followup_manager.followup_dispatch_report_menu']",
            run: "click",
        },
        {
            content: "A graph of the decisions per week",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_control_panel .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot shows the sequences",
            trigger: ".o_pivot th:contains(Logged)",
        },
        {
            content: "Open the reporting menu again",
            trigger: "button[data-menu-xmlid='followup_manager.followup_manager_menu_reporting']",
            run: "click",
        },
        {
            content: "Open the forecasts",
            trigger: "a[data-menu-xmlid='followup_manager.followup_forecast_menu']",
            run: "click",
        },
        {
            content: "The forecast just made is listed",
            trigger: ".o_list_view .o_data_row:contains(Forecast Tour)",
        },
    ],
});
