/** @odoo-module **/
// The forecast's graph: each outcome in the colour of its badge in the lists (done
// green, deferred blue, suppressed orange, failed red) whatever the order of the bars,
// and whole numbers on the y-axis (decisions are counted, never fractions).

import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

const OUTCOME_COLORS = {
    done: "#00A78D",
    deferred: "#4EA7F2",
    suppressed: "#F4A261",
    failed: "#EA6175",
};

export class FollowupForecastGraphRenderer extends GraphRenderer {
    getBarChartData() {
        const data = super.getBarChartData();
        const selection = this.model.metaData.fields.state?.selection || [];
        const colorOf = Object.fromEntries(
            selection.map(([value, label]) => [label, OUTCOME_COLORS[value]])
        );
        for (const dataset of data.datasets) {
            if (colorOf[dataset.label]) {
                dataset.backgroundColor = colorOf[dataset.label];
            }
        }
        return data;
    }

    getScaleOptions() {
        const scales = super.getScaleOptions();
        if (scales.y) {
            // Ticks only on whole numbers, written as such ("2", not "2.00").
            scales.y.ticks = {
                ...scales.y.ticks,
                precision: 0,
                callback: (value) => this.formatValue(value, true),
            };
        }
        return scales;
    }
}

registry.category("views").add("followup_forecast_graph", {
    ...graphView,
    Renderer: FollowupForecastGraphRenderer,
});
