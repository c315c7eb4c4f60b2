import { Component, onMounted, onWillStart, onWillUnmount, onWillUpdateProps, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";

/** Text of an undefined value: a dash, never 0. */
export const EMPTY = "–";

/**
 * A Chart.js chart: ``config`` is its configuration, ``onClick(index)`` is
 * called with the index of the clicked point or bar.
 */
export class ArChart extends Component {
    static template = "account_receivable_optimizer.ArChart";
    static props = { config: Object, onClick: Function, className: { type: String, optional: true } };

    setup() {
        this.canvasRef = useRef("canvas");
        onMounted(() => this.render_chart(this.props));
        onWillUpdateProps((next) => this.render_chart(next));
        onWillUnmount(() => this.chart?.destroy());
    }

    render_chart(props) {
        this.chart?.destroy();
        const config = { ...props.config };
        config.options = {
            maintainAspectRatio: false,
            animation: false,
            ...config.options,
            onClick: (event, elements) => {
                if (elements.length) {
                    props.onClick(elements[0].index);
                }
            },
            onHover: (event, elements) => {
                if (event.native?.target) {
                    event.native.target.style.cursor = elements.length ? "pointer" : "default";
                }
            },
        };
        this.chart = new window.Chart(this.canvasRef.el, config);
    }
}

/**
 * The receivables dashboard (client action ``ar_receivables_dashboard``).
 *
 * Everything comes from one call of ``ar.receivables.dashboard.get_dashboard_data``
 * for the companies of the company switcher; each figure opens the records
 * behind it (the window action given with the figure).
 */
export class ArDashboard extends Component {
    static template = "account_receivable_optimizer.ArDashboard";
    static components = { Layout, ArChart };
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ data: null, busy: false });
        this.display = { controlPanel: {} };
        onWillStart(async () => {
            await Promise.all([loadBundle("web.chartjs_lib"), this.load()]);
        });
    }

    async load() {
        this.state.data = await this.orm.call("ar.receivables.dashboard", "get_dashboard_data", []);
    }

    // ------------------------------------------------------------------
    // Formatting
    // ------------------------------------------------------------------

    isEmpty(value) {
        return value === null || value === undefined || value === false;
    }

    number(value, digits = 2) {
        return this.isEmpty(value) ? EMPTY : formatFloat(value, { digits: [16, digits] });
    }

    /** Chart.js axis ticks in the user's number format (Odoo's, not the browser's). */
    get localeTicks() {
        return { callback: (value) => formatFloat(value, { digits: [16, Number.isInteger(value) ? 0 : 2] }) };
    }

    get currencySymbol() {
        return this.state.data.currency.symbol;
    }

    cardLabel(key) {
        return {
            receivables: _t("Receivables"),
            overdue: _t("Overdue Receivables"),
            percent_overdue: _t("% Overdue"),
            dso: _t("Days Sales Outstanding"),
            countback_dso: _t("Countback DSO"),
            bpdso: _t("Best Possible DSO"),
            add: _t("Average Days Delinquent"),
            cei: _t("CEI"),
            days_to_pay: _t("Average Days to Pay"),
        }[key];
    }

    cardUnit(card) {
        return { money: this.currencySymbol, percent: "%", days: _t("days") }[card.kind];
    }

    trendText(card) {
        if (this.isEmpty(card.trend)) {
            return EMPTY;
        }
        const sign = card.trend > 0 ? "+" : "";
        return _t("%(change)s vs last month", { change: sign + this.number(card.trend) });
    }

    trendClass(card) {
        if (this.isEmpty(card.trend) || card.trend === 0) {
            return "text-muted";
        }
        // lower is better for every card but the CEI
        const better = card.key === "cei" ? card.trend > 0 : card.trend < 0;
        return better ? "text-success" : "text-danger";
    }

    // ------------------------------------------------------------------
    // Charts
    // ------------------------------------------------------------------

    get dsoConfig() {
        const points = this.state.data.dso_chart.points;
        return {
            type: "line",
            data: {
                labels: points.map((point) => point.month.slice(0, 7)),
                datasets: [
                    {
                        label: _t("Days Sales Outstanding"),
                        data: points.map((point) => point.dso),
                        borderColor: "#017e84",
                        backgroundColor: "#017e84",
                        spanGaps: false,
                    },
                    {
                        label: _t("Target DSO"),
                        data: points.map((point) => point.target),
                        borderColor: "#e99d00",
                        backgroundColor: "#e99d00",
                        borderDash: [6, 4],
                        pointRadius: 0,
                    },
                ],
            },
            options: {
                scales: {
                    y: { beginAtZero: true, ticks: this.localeTicks, title: { display: true, text: _t("days") } },
                },
            },
        };
    }

    barConfig(rows, label, color) {
        return {
            type: "bar",
            data: {
                labels: rows.map((row) => row.label),
                datasets: [{ label, data: rows.map((row) => row.amount), backgroundColor: color }],
            },
            options: {
                plugins: { legend: { display: false } },
                scales: {
                    y: { beginAtZero: true, ticks: this.localeTicks, title: { display: true, text: this.currencySymbol } },
                },
            },
        };
    }

    get agingConfig() {
        return this.barConfig(this.state.data.aging.periods, _t("Open amount"), "#714b67");
    }

    get forecastConfig() {
        return this.barConfig(this.state.data.forecast.weeks, _t("Expected Collections"), "#017e84");
    }

    get gradeConfig() {
        const grades = this.state.data.grades;
        const colors = ["#28a745", "#8bc34a", "#e99d00", "#f0643c", "#d9534f", "#adb5bd"];
        return {
            type: "doughnut",
            data: {
                labels: grades.map((grade) => grade.label),
                datasets: [
                    {
                        data: grades.map((grade) => grade.amount),
                        backgroundColor: grades.map((grade, index) => colors[index % colors.length]),
                    },
                ],
            },
            options: { plugins: { legend: { position: "right" } } },
        };
    }

    // ------------------------------------------------------------------
    // Actions
    // ------------------------------------------------------------------

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    async onRefresh() {
        this.state.busy = true;
        try {
            await this.orm.call("ar.receivables.dashboard", "action_refresh", []);
            await this.load();
        } finally {
            this.state.busy = false;
        }
    }

    async onDownloadPack() {
        const action = await this.orm.call("ar.receivables.dashboard", "action_download_pack", []);
        await this.actionService.doAction(action);
    }
}

registry.category("actions").add("ar_receivables_dashboard", ArDashboard);
