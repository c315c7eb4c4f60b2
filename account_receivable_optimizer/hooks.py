def post_init_hook(env):
    """Give every existing company a default credit policy."""
    companies = env["res.company"].search([])  # pylint: disable=no-search-all
    companies._ar_ensure_default_credit_policy()


def uninstall_hook(env):
    """Drop the table of the credit checks' locks (created by ``account.move.init``)."""
    env.cr.execute("DROP TABLE IF EXISTS ar_credit_lock")
