def post_init_hook(env):
    """Give every existing company a default credit policy."""
    companies = env["res.company"].search([])  # pylint: disable=no-search-all
    companies._ar_ensure_default_credit_policy()
