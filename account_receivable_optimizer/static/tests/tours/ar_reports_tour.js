import { registry } from "@web/core/registry";
import { session } from "@web/session";

// 19.0 wants the steps that load another page marked expectUnloadPage; 18.0 does not
// know the key (its step schema logs an error).
const unloads = (session.server_version_info?.[0] ?? 0) >= 19 ? { expectUnloadPage: true } : {};

/** The footer total of the list column of ``field``, as shown (the footer cell under its header). */
function footerTotal(field) {
    const header = document.querySelector(`.o_list_renderer thead th[data-name='${field}']`);
    const rect = header.getBoundingClientRect();
    const middle = (rect.left + rect.right) / 2;
    // 19.0 merges the first footer cells (colspan): find the cell by position, not by index
    const cells = [...document.querySelectorAll(".o_list_renderer tfoot tr td")];
    const cell = cells.find((td) => {
        const box = td.getBoundingClientRect();
        return box.left <= middle && middle <= box.right;
    });
    return cell ? cell.textContent.trim() : "";
}

/** A step that checks the footer total of ``field`` reads ``expected``. */
function checkTotal(content, field, expected) {
    return {
        content,
        trigger: `.o_list_renderer thead th[data-name='${field}']`,
        run() {
            const total = footerTotal(field);
            if (!total.includes(expected)) {
                throw new Error(`${content}: the total reads "${total}", not ${expected}`);
            }
        },
    };
}

function withTimeout(steps) {
    return steps.map((step) => ({ timeout: STEP_TIMEOUT, ...step }));
}

function reload(content, trigger = ".o_action_manager .o_action") {
    return {
        content,
        trigger,
        run() {
            window.location.reload();
        },
        ...unloads,
    };
}

/** Open a menu item of Invoicing's Reporting menu, through the apps menu (a reload forgets the app). */
function openMenu(xmlid) {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='account.menu_finance_reports']",
            run: "click",
        },
        {
            content: `Open ${xmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid='account_receivable_optimizer.${xmlid}']`,
            run: "click",
        },
    ];
}

/**
 * As an accounting manager: each receivables report from the menu shows the
 * same total before and after a reload, the DSO graph draws DSO, the
 * dashboard's cards show their values and labels apart.
 * The ledger (tests/test_dashboard.py): 3,000.00 of receivables, all
 * invoiced in the last 12 months.
 */
// each step waits up to 30 s: the reports run their queries when opened
const STEP_TIMEOUT = 30000;

registry.category("web_tour.tours").add("ar_reports_tour", {
    steps: () => withTimeout([
        // Aging
        ...openMenu("ar_aging_report_menu"),
        {
            content: "The list of aging runs",
            trigger: ".o_list_renderer thead th[data-name='as_of_date']",
        },
        {
            content: "Run the aging",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_open_lines']",
            run: "click",
        },
        checkTotal("Aging total", "amount_residual", "3,000.00"),
        reload("Reload the aging"),
        checkTotal("Aging total after the reload", "amount_residual", "3,000.00"),
        // KPIs
        ...openMenu("ar_kpi_fact_menu"),
        checkTotal("Credit sales of the last 12 months", "credit_sales", "3,000.00"),
        reload("Reload the KPIs"),
        checkTotal("Credit sales after the reload", "credit_sales", "3,000.00"),
        {
            content: "Open the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph draws a DSO series",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(document.querySelector(".o_graph_renderer canvas"));
                const labels = chart.data.datasets.map((dataset) => dataset.label);
                if (!labels.includes("DSO")) {
                    throw new Error(`The DSO graph draws ${labels.join(", ")}, not DSO`);
                }
            },
        },
        // Forecast
        ...openMenu("ar_forecast_report_menu"),
        {
            content: "The list of forecast runs",
            trigger: ".o_list_renderer thead th[data-name='date_from']",
        },
        {
            content: "Run the forecast",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name='action_open_lines']",
            run: "click",
        },
        checkTotal("Forecast total", "amount", "3,000.00"),
        reload("Reload the forecast"),
        checkTotal("Forecast total after the reload", "amount", "3,000.00"),
        // Dashboard
        ...openMenu("ar_receivables_dashboard_menu"),
        {
            content: "The receivables card: value and label apart",
            trigger: ".o_ar_card_receivables .o_ar_card_value:contains('3,000.00')",
        },
        {
            trigger: ".o_ar_card_receivables .o_ar_card_label:contains('Receivables')",
        },
        {
            trigger: ".o_ar_card_receivables .o_ar_card_currency:contains('$')",
        },
        {
            content: "Every card has its value and its label",
            trigger: ".o_ar_card_days_to_pay .o_ar_card_label",
            run() {
                const cards = [...document.querySelectorAll(".o_ar_card")];
                if (cards.length !== 9) {
                    throw new Error(`${cards.length} cards instead of 9`);
                }
                for (const card of cards) {
                    const value = card.querySelector(".o_ar_card_value");
                    const label = card.querySelector(".o_ar_card_label");
                    if (!value || !label || !value.textContent.trim() || !label.textContent.trim()) {
                        throw new Error(`A card without its value or label: ${card.textContent}`);
                    }
                    if (value.contains(label) || label.contains(value)) {
                        throw new Error(`A card mixes its value and label: ${card.textContent}`);
                    }
                }
            },
        },
        {
            content: "The aging chart is drawn",
            trigger: ".o_ar_chart_aging canvas",
        },
        {
            content: "Alpha, the only customer late, tops the overdue customers",
            trigger: ".o_ar_top_overdue_name:contains('Alpha Industries')",
        },
        reload("Reload the dashboard", ".o_ar_dashboard .o_ar_card"),
        {
            content: "The dashboard after the reload",
            trigger: ".o_ar_card_receivables .o_ar_card_value:contains('3,000.00')",
        },
        {
            content: "The credit insurance section: nothing insured, nothing uncovered before the facts are filled",
            trigger: ".o_ar_section_insurance .o_ar_insurance_uncovered .o_ar_insurance_value:contains('0.00')",
        },
        {
            content: "The uncovered exposure opens the insurance analysis",
            trigger: ".o_ar_section_insurance .o_ar_insurance_uncovered",
            run: "click",
        },
        {
            content: "The insurance pivot",
            trigger: ".o_pivot_view",
        },
    ]),
});
