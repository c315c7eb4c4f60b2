"""Receivable accounts: the one query that lists them.

The reports (aging, snapshots, KPI facts, forecast) read them once per run;
the credit check keeps them in the registry cache
(``res.partner._ar_receivable_account_ids_cached``) and checks them in its
own statement.
"""

from odoo.tools import SQL


def receivable_account_ids(env):
    """Ids of the receivable accounts, read first and given to the statements as constants.

    PostgreSQL then estimates the items from the statistics of
    ``account_id`` (a join on the account type made it expect 2 % of them)
    and joins the entries and customers by hash at size, not one index
    lookup per item (docs/performance.md).
    """
    env["account.account"].flush_model(["account_type"])
    return [
        account_id
        for (account_id,) in env.execute_query(
            SQL("SELECT id FROM account_account WHERE account_type = 'asset_receivable'")
        )
    ]
