import { registry } from "@web/core/registry";
import { SLOW, openInvoicing, screenshot } from "./ar_tour_utils";

/** Open a report of Reporting > Receivables, by its menu's XML id (whatever the user's language). */
function openReport(xmlid) {
    return [
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
            ...SLOW,
        },
        {
            content: `Open ${xmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid='account_receivable_optimizer.${xmlid}']`,
            run: "click",
        },
    ];
}

/**
 * The receivables dashboard of the demo's ledger, as the manager's guide shows it: every card
 * with a value, the four charts drawn, the overdue customers, the discounts and the credit
 * insurance section with its insurer.
 */
function dashboardShown() {
    return [
        ...openInvoicing,
        ...openReport("ar_receivables_dashboard_menu"),
        // the dashboard reads two years of facts: on a loaded test machine it took over 30 s
        {
            content: "The dashboard is opened",
            trigger: ".o_ar_dashboard",
            timeout: 60000,
        },
        {
            content: "The DSO card shows its label",
            // not its text (the label has its own term since Odoo modules translate "DSO" otherwise)
            trigger: ".o_ar_card_dso .o_ar_card_label:not(:empty)",
            timeout: 60000,
        },
        {
            content: "The receivables card has a value",
            trigger: ".o_ar_card_receivables .o_ar_card_value:not(:contains('–'))",
        },
        ...["dso", "aging", "forecast", "grades"].map((chart) => ({
            content: `The ${chart} chart is drawn`,
            trigger: `.o_ar_chart_${chart} canvas`,
        })),
        {
            content: "The overdue customers are listed",
            trigger: ".o_ar_section_top_overdue .o_ar_top_overdue_name",
        },
        {
            content: "The credit insurance section shows the demo's insurer",
            trigger: ".o_ar_section_insurance:contains('Allianz Trade (demo)')",
        },
    ];
}

/** In English: the dashboard, then the DSO graph of the KPIs. */
registry.category("web_tour.tours").add("ar_dashboard_screens_tour", {
    steps: () => [
        ...dashboardShown(),
        screenshot("dashboard-en", ".o_ar_section_insurance", { fullPage: true }),
        ...openReport("ar_kpi_fact_menu"),
        {
            content: "Open the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph draws the DSO of several months",
            trigger: ".o_graph_renderer canvas",
            ...SLOW,
            run() {
                const chart = window.Chart.getChart(document.querySelector(".o_graph_renderer canvas"));
                const dso = chart.data.datasets.find((dataset) => dataset.label === "DSO");
                if (!dso || dso.data.length < 6) {
                    throw new Error(`The DSO graph draws ${chart.data.datasets.map((d) => d.label).join(", ")}`);
                }
                // the line grows from zero for a moment: the screenshot shows it drawn in full
                chart.stop();
                chart.options.animation = false;
                chart.update("none");
            },
        },
        screenshot("kpi-dso-graph-en", ".o_graph_renderer canvas"),
    ],
});

/** In French, as the demo's Credit Manager. */
registry.category("web_tour.tours").add("ar_dashboard_screens_fr_tour", {
    steps: () => [
        ...dashboardShown(),
        {
            content: "The dashboard reads in French",
            trigger: ".o_breadcrumb:contains('Tableau de bord des créances clients')",
        },
        screenshot("dashboard-fr", ".o_ar_section_insurance", { fullPage: true }),
    ],
});
