def post_init_hook(env):
    """Give every existing company a default credit policy."""
    env["res.company"].search([])._ar_ensure_default_credit_policy()
