import { registry } from "@web/core/registry";
import { SLOW, menu, openInvoicing, screenshot } from "@account_receivable_optimizer/../tests/tours/ar_tour_utils";

const BANNER = ".o_form_view .alert:contains('Posting will be refused')";
const CONFIRM = ".o_form_view .o_form_statusbar button[name='action_post']:visible";
const BLOCK_DIALOG = ".o_error_dialog:contains('The credit policy blocks invoice')";

registry.category("web_tour.tours").add("ar_credit_override_tour", {
    steps: () => [
        {
            content: "The draft invoice warns that the credit policy blocks it",
            trigger: BANNER,
            ...SLOW,
        },
        screenshot("invoice-credit-banner", BANNER),
        {
            content: "Try to confirm the invoice",
            trigger: CONFIRM,
            run: "click",
        },
        {
            content: "Posting is refused",
            trigger: BLOCK_DIALOG,
            ...SLOW,
        },
        {
            trigger: `${BLOCK_DIALOG} .modal-footer .btn-primary`,
            run: "click",
        },
        {
            content: "Override the block",
            trigger: ".o_form_view .o_form_statusbar button[name='action_ar_credit_override']",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Bank transfer of 1,000 received today",
        },
        screenshot("invoice-override-wizard", ".modal .alert-warning:contains('exposure after posting')"),
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Posted')",
            ...SLOW,
        },
        {
            content: "The override is in the chatter",
            trigger: ".o-mail-Message:contains('Credit block overridden')",
        },
        {
            content: "And in the invoice's overrides, with the figures of the moment",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Credit Overrides')",
            run: "click",
        },
        screenshot(
            "invoice-overridden",
            ".o_field_widget[name='ar_credit_override_ids'] .o_data_row:contains('Bank transfer of 1,000')"
        ),
    ],
});

registry.category("web_tour.tours").add("ar_credit_refused_tour", {
    steps: () => [
        {
            content: "The draft invoice warns that the credit policy blocks it",
            trigger: BANNER,
            ...SLOW,
        },
        {
            content: "A billing user has no override button",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_ar_credit_override']))",
        },
        {
            content: "Try to confirm the invoice",
            trigger: CONFIRM,
            run: "click",
        },
        {
            content: "Posting is refused, with the way out",
            trigger: `${BLOCK_DIALOG}:contains('Ask a Credit Manager to post it with')`,
            ...SLOW,
        },
        screenshot("invoice-credit-block", BLOCK_DIALOG),
        {
            trigger: `${BLOCK_DIALOG} .modal-footer .btn-primary`,
            run: "click",
        },
        {
            content: "The invoice is still a draft",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Draft')",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});

registry.category("web_tour.tours").add("ar_salesperson_credit_tour", {
    steps: () => [
        {
            content: "Open the customer's credit tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Credit & Risk')",
            run: "click",
            ...SLOW,
        },
        {
            content: "The grade is shown, read-only",
            trigger: ".o_field_widget[name='ar_risk_grade'].o_readonly_modifier:contains('B')",
        },
        {
            content: "The available credit is shown, read-only",
            trigger: ".o_field_widget[name='ar_available_credit'].o_readonly_modifier:contains('200.00')",
        },
        {
            content: "Neither can be typed into",
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name='ar_risk_grade'] :is(input, select)))" +
                ":not(:has(.o_field_widget[name='ar_available_credit'] input))",
        },
        {
            content: "Nor into the credit limit",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='credit_limit'] input))",
        },
        screenshot("customer-credit-tab", ".o_field_widget[name='ar_risk_grade']"),
    ],
});

registry.category("web_tour.tours").add("ar_admin_tour", {
    steps: () => [
        ...openInvoicing,
        ...menu("Credit Control", "Credit Policies"),
        {
            content: "Open the company's policy",
            trigger: ".o_list_view .o_data_row td[name='name']",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='enforcement']",
        },
        screenshot("admin-policy", ".o_form_view .o_field_widget[name='enforcement']"),
        screenshot("admin-policy-grades", ".o_form_view .o_inner_group:contains('Risk Grades')", { scroll: true }),
        {
            content: "The dunning levels of the policy",
            trigger: ".o_form_view .o_field_widget[name='ar_dunning_level_ids'] .o_data_row",
        },
        screenshot("admin-dunning-levels", ".o_form_view .o_field_widget[name='ar_dunning_level_ids']", {
            scroll: true,
        }),
    ],
});

registry.category("web_tour.tours").add("ar_admin_settings_tour", {
    steps: () => [
        {
            content: "Turn the legal mentions on: their rates are asked",
            trigger: "#ar_invoice_legal_mentions input[type='checkbox']",
            run: "click",
            ...SLOW,
        },
        {
            trigger: "#ar_invoice_legal_mentions .o_field_widget[name='ar_recovery_fee']",
        },
        screenshot("admin-settings", "#ar_credit_policy", { scroll: true }),
        {
            content: "Leave the settings unchanged",
            trigger: ".o_form_button_cancel:visible",
            run: "click",
        },
        {
            trigger: "#ar_invoice_legal_mentions input[type='checkbox']:not(:checked)",
        },
    ],
});
