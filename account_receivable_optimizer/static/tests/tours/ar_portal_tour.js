import { registry } from "@web/core/registry";
import { SLOW, screenshot, unloads } from "@account_receivable_optimizer/../tests/tours/ar_tour_utils";

registry.category("web_tour.tours").add("ar_portal_tour", {
    steps: () => {
        const inFive = new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10);
        return [
            {
                content: "The reminder's link opens the open invoices",
                trigger: ".o_ar_open_items",
                ...SLOW,
            },
            screenshot("portal-open-items", ".o_ar_open_items"),
            {
                content: "Promise to pay the invoice",
                trigger: ".o_ar_promise_form input[name='move_ids']",
                run: "click",
            },
            {
                trigger: "#promise_amount",
                run: "edit 300",
            },
            {
                trigger: "#promise_date",
                run(helpers) {
                    // a date input takes its value as yyyy-mm-dd, whatever the browser's language
                    helpers.anchor.value = inFive;
                    helpers.anchor.dispatchEvent(new Event("change", { bubbles: true }));
                },
            },
            {
                trigger: ".o_ar_promise_submit",
                run: "click",
                ...unloads,
            },
            {
                content: "The promise is recorded",
                trigger: ".o_ar_done:contains('promise to pay is recorded')",
                ...SLOW,
            },
            screenshot("portal-promise", ".o_ar_done"),
            {
                content: "Dispute the invoice",
                trigger: "#dispute_reason",
                run: "selectByIndex 1",
            },
            {
                trigger: "#dispute_message",
                run: "edit Two parts arrived broken",
            },
            {
                trigger: ".o_ar_dispute_submit",
                run: "click",
                ...unloads,
            },
            {
                content: "The dispute is recorded and the invoice shown disputed",
                trigger: ".o_ar_done:contains('Your dispute is recorded')",
                ...SLOW,
            },
            {
                trigger: ".o_ar_open_items .badge:contains('Disputed')",
            },
            screenshot("portal-dispute", ".o_ar_done"),
            {
                content: "Ask for a payment plan",
                trigger: ".o_ar_plan_form input[name='move_ids']",
                run: "click",
            },
            {
                trigger: "#plan_instalments",
                run: "edit 3",
            },
            {
                trigger: ".o_ar_plan_submit",
                run: "click",
                ...unloads,
            },
            {
                content: "The request is sent",
                trigger: ".o_ar_done:contains('request for a payment plan is sent')",
                ...SLOW,
            },
            screenshot("portal-plan-request", ".o_ar_done"),
        ];
    },
});

registry.category("web_tour.tours").add("ar_portal_plan_tour", {
    steps: () => [
        {
            content: "The reminder's link shows the plan waiting for a signature",
            trigger: ".o_ar_open_items",
            ...SLOW,
        },
        {
            content: "Accept the payment plan proposed by the collector",
            trigger: ".o_ar_plan_sign_button",
            run: "click",
        },
        {
            content: "The name is filled in: the signature is drawn from it",
            trigger: ".modal .o_web_sign_name_and_signature input:value(Alpha Industries)",
        },
        {
            content: "Choose a style of signature",
            trigger: ".modal .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item:eq(3)",
            run: "click",
        },
        screenshot("portal-plan-sign", ".modal .o_portal_sign_submit:enabled"),
        {
            content: "Sign",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            ...unloads,
        },
        {
            content: "The plan is accepted",
            trigger: ".o_ar_done:contains('payment plan is accepted')",
            // the signature is posted and the page reloaded: slow on a loaded machine
            timeout: 30000,
        },
        screenshot("portal-plan-accepted", ".o_ar_done"),
    ],
});
