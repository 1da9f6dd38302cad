/** @odoo-module **/
// The forecast's graph: each outcome in the colour of its badge in the lists (done
// green, deferred blue, suppressed orange, failed red) whatever the order of the bars,
// whole numbers on the y-axis (decisions are counted, never fractions), every simulated
// day on the x-axis (a day without decisions at zero, not left out), and the days
// written as every date of the forecast's screens: the user's date format.

import { deserializeDate, formatDate } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { graphView } from "@web/views/graph/graph_view";
import { GraphModel } from "@web/views/graph/graph_model";
import { GraphRenderer } from "@web/views/graph/graph_renderer";

export class FollowupForecastGraphModel extends GraphModel {
    /**
     * Bars by day: every simulated day (the action's context key
     * ``followup_forecast_days``, from and to) is on the axis, a day without
     * decisions at zero in the first series (Odoo's bar chart leaves such days out),
     * and each day is labelled in the user's date format.
     * @override
     */
    _getProcessedDataPoints() {
        const { fields, groupBy, mode } = this.metaData;
        const first = groupBy[0];
        if (mode !== "bar" || !first || first.interval !== "day" ||
            fields[first.fieldName]?.type !== "date") {
            return super._getProcessedDataPoints();
        }
        const byDay = new Map();
        const others = [];
        for (const point of this.dataPoints) {
            const day = this._followupDay(point.domain, first.fieldName);
            if (!day) {
                others.push(point);
            } else if (point.count !== 0) {
                const key = day.toISODate();
                byDay.set(key, [...(byDay.get(key) || []), point]);
            }
        }
        const series = [...byDay.values()][0]?.[0].labels.slice(1);
        const range = this.searchParams.context.followup_forecast_days;
        if (series && range) {
            let day = deserializeDate(range.from);
            const last = deserializeDate(range.to);
            while (day <= last) {
                const key = day.toISODate();
                if (!byDay.has(key)) {
                    byDay.set(key, [{
                        count: 0,
                        value: 0,
                        domain: [[first.fieldName, "=", key]],
                        labels: [null, ...series],
                        originIndex: 0,
                        identifier: JSON.stringify([first.fieldName, key]),
                        cumulatedStart: 0,
                    }]);
                }
                day = day.plus({ days: 1 });
            }
        }
        const points = [];
        for (const key of [...byDay.keys()].sort()) {
            const label = formatDate(deserializeDate(key));
            for (const point of byDay.get(key)) {
                points.push({ ...point, labels: [label, ...point.labels.slice(1)] });
            }
        }
        return [...points, ...others.filter((point) => point.count !== 0)];
    }

    /** The day of a group: the start of its range in its domain. */
    _followupDay(domain, fieldName) {
        const leaf = (domain || []).find(
            (term) => Array.isArray(term) && term[0] === fieldName && term[1] === ">="
        );
        return leaf ? deserializeDate(leaf[2]) : null;
    }
}

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
    Model: FollowupForecastGraphModel,
    Renderer: FollowupForecastGraphRenderer,
});
