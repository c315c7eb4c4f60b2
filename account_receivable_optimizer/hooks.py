from .compat import keep_done_activities


def post_init_hook(env):
    """Give every existing company a default credit policy; back-fill 24 months of KPI facts."""
    companies = env["res.company"].search([])  # pylint: disable=no-search-all
    companies._ar_ensure_default_credit_policy()
    keep_done_activities(
        env.ref("account_receivable_optimizer.mail_activity_ar_insurance_declaration")
        | env.ref("account_receivable_optimizer.mail_activity_ar_insurance_cover")
    )
    env["ar.kpi.fact"]._cron_refresh_facts()


def uninstall_hook(env):
    """Drop the table of the credit checks' locks (created by ``account.move.init``)."""
    env.cr.execute("DROP TABLE IF EXISTS ar_credit_lock")
