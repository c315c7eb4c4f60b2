import { registry } from "@web/core/registry";

/** The y-axis labels of the dashboard chart ``name``, as Chart.js draws them. */
function tickLabels(name) {
    const chart = window.Chart.getChart(document.querySelector(`.o_ar_chart_${name} canvas`));
    return chart.scales.y.ticks.map((tick) => tick.label);
}

registry.category("web_tour.tours").add("ar_dashboard_ticks_tour", {
    steps: () => [
        {
            content: "The aging chart's amounts are in the user's number format (thousands separator '.')",
            trigger: ".o_ar_chart_aging canvas",
            timeout: 30000,
            run() {
                const labels = tickLabels("aging");
                const thousands = labels.filter((label) => /^\d{1,3}(\.\d{3})+$/.test(label));
                const others = labels.filter((label) => !/^\d{1,3}(\.\d{3})*$/.test(label));
                if (!thousands.length || others.length) {
                    throw new Error(`Aging ticks not in the user's format: ${labels.join(" | ")}`);
                }
            },
        },
        {
            content: "The forecast chart too",
            trigger: ".o_ar_chart_forecast canvas",
            run() {
                const labels = tickLabels("forecast");
                if (!labels.some((label) => /^\d{1,3}(\.\d{3})+$/.test(label))) {
                    throw new Error(`Forecast ticks not in the user's format: ${labels.join(" | ")}`);
                }
            },
        },
    ],
});
