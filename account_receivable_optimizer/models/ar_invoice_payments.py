"""Payments of customer invoices: the one query that gathers them.

The risk grading (days paid late), the collection forecast (each customer's
delay, the collections of past weeks) and the KPIs (days to pay, CEI) all
read this fact from :func:`invoice_payments_sql`.
"""

from odoo.tools import SQL


def invoice_payments_sql(date_from, date_to, conditions, invoices_only=True):
    """Settlements of receivable debit items dated from ``date_from`` to ``date_to`` (both included).

    A payment is a partial reconciliation of a posted receivable debit item
    with anything but a credit note (a credit note is no payment), dated when
    both were there (``max_date``). One row per partial reconciliation, with
    the columns ``amount``, ``payment_date``, ``due_date`` (the item's due
    date), ``invoice_date``, ``user_id`` (the salesperson), ``company_id`` and
    ``partner_id`` (the commercial partner, NULL without a partner).

    :param conditions: ``SQL`` conditions on the debit item ``aml``, its entry
        ``m`` and the commercial partner ``cp`` (the aliases of the reports'
        filters); callers flush what they read
    :param invoices_only: only items of customer invoices; false: any
        receivable debit item (opening balances, miscellaneous entries)
    """
    return SQL(
        """
        SELECT apr.amount, apr.max_date AS payment_date, aml.date_maturity AS due_date,
               m.invoice_date, m.invoice_user_id AS user_id, aml.company_id, cp.id AS partner_id
          FROM account_partial_reconcile apr
          JOIN account_move_line aml ON aml.id = apr.debit_move_id
          JOIN account_account a ON a.id = aml.account_id
          JOIN account_move m ON m.id = aml.move_id
          JOIN account_move_line cl ON cl.id = apr.credit_move_id
          JOIN account_move cm ON cm.id = cl.move_id
     LEFT JOIN res_partner p ON p.id = aml.partner_id
     LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
         WHERE a.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND aml.balance > 0
           AND %(invoices)s
           AND cm.move_type != 'out_refund'
           AND apr.max_date >= %(date_from)s AND apr.max_date <= %(date_to)s
           AND %(conditions)s
        """,
        invoices=SQL("m.move_type = 'out_invoice'") if invoices_only else SQL("TRUE"),
        date_from=date_from,
        date_to=date_to,
        conditions=conditions,
    )
