import { registry } from "@web/core/registry";
import { SLOW, menu, openInvoicing, screenshot } from "@account_receivable_optimizer/../tests/tours/ar_tour_utils";

registry.category("web_tour.tours").add("ar_dunning_tour", {
    steps: () => [
        ...openInvoicing,
        ...menu("Customers", "Run Dunning", { dialog: true }),
        {
            content: "The preview lists who would be reminded, at which level",
            trigger: ".modal .o_data_row:contains('Alpha Industries'):contains('Reminder')",
            ...SLOW,
        },
        screenshot("dunning-preview", ".modal .o_data_row"),
        {
            content: "Run the dunning",
            trigger: ".modal button[name='action_run_now']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:contains('Send these reminders now?') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The reminders of the day are shown",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries'):contains('Reminder')",
            ...SLOW,
        },
        {
            content: "Close the notice that the dunning started, unless it went by itself",
            trigger: ".o_list_view",
            run() {
                document.querySelector(".o_notification .o_notification_close")?.click();
            },
        },
        {
            trigger: "body:not(:has(.modal)):not(:has(.o_notification))",
        },
        ...menu("Customers", "Reminders"),
        {
            content: "The reminder history has the reminder just sent",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries') td[name='level_id']:contains('Reminder')",
        },
        screenshot("dunning-history", ".o_list_view .o_data_row"),
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries') td[name='partner_id']",
            run: "click",
        },
        {
            content: "The communication lists the invoice reminded",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:contains('INV/')",
        },
        screenshot("dunning-communication", ".o_form_view .o_field_widget[name='mail_id']"),
    ],
});

registry.category("web_tour.tours").add("ar_collector_plan_tour", {
    steps: () => [
        ...openInvoicing,
        ...menu("Customers", "Collector Worklist"),
        {
            content: "The customer is on the collector's worklist: its requests from the portal",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries') td[name='ar_collection_rank']",
        },
        screenshot("collector-worklist", ".o_list_view .o_data_row td[name='ar_collection_rank']"),
        ...menu("Customers", "Disputes"),
        {
            content: "The dispute sent from the portal waits for the collector",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries') td[name='reason_id']",
        },
        screenshot("collector-disputes", ".o_list_view .o_data_row td[name='reason_id']"),
        ...menu("Customers", "Promises to Pay"),
        {
            content: "So does the promise",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries') td[name='amount']:contains('300.00')",
        },
        screenshot("collector-promises", ".o_list_view .o_data_row td[name='promised_date']"),
        ...menu("Customers", "Payment Plans"),
        {
            content: "Open the payment plan the customer asked for",
            trigger: ".o_list_view .o_data_row:contains('Alpha Industries'):contains('Draft') td[name='partner_id']",
            run: "click",
        },
        {
            content: "The schedule is proposed in equal instalments",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:eq(2):contains('300.00')",
        },
        screenshot("plan-request", ".o_form_view .o_field_widget[name='line_ids']"),
        {
            content: "Propose it to the customer",
            trigger: ".o_form_view .o_form_statusbar button[name='action_propose']",
            run: "click",
        },
        {
            content: "The plan waits for the customer's signature",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Proposed')",
            ...SLOW,
        },
    ],
});
