import datetime
from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..lib.ar_core import late_charges


class ArLateCharge(models.AbstractModel):
    """Late-payment charges: gather the late receivable items, compute with the core, invoice.

    Gathering is one query per batch of customers (``_ar_gather_late_items``);
    the formulas are in ``lib/ar_core/late_charges.py``.
    """

    _name = "ar.late.charge"
    _description = "Late-Payment Charges"

    @api.model
    def _ar_gather_late_items(self, company, today, policies):
        """Receivable items of customer invoices late on ``today``, with their partial reconciliations.

        Open items past their due date, and, for the customers whose policy
        charges late payments, items settled after their due date (and on or
        after the policy's start date) whose late days or fixed compensation
        were not charged yet.

        :param policies: ``{commercial partner id: ar.credit.policy}``
        :return: ``{partner_id: [row, ...]}``; a row's ``payments`` is a list of ``(date, amount)``
            in the item's currency
        """
        if not policies:
            return {}
        paid_late = [pid for pid, policy in policies.items() if policy.charge_paid_late]
        starts = [policies[pid].charge_paid_late_from for pid in paid_late]
        since = min(starts) if starts and all(starts) else datetime.date(1, 1, 1)
        for model in ("account.move", "account.move.line", "account.partial.reconcile", "account.account"):
            self.env[model].flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT l.id, l.move_id, m.name AS move_name, m.commercial_partner_id AS partner_id,
                       l.currency_id, l.amount_currency AS amount,
                       COALESCE(l.date_maturity, m.invoice_date_due, m.invoice_date) AS due_date,
                       COALESCE(
                           l.ar_interest_charged_until,
                           CASE WHEN m.ar_interest_days_charged > 0
                                THEN COALESCE(m.invoice_date_due, l.date_maturity) + m.ar_interest_days_charged
                           END
                       ) AS charged_until,
                       COALESCE(m.ar_fixed_fee_charged, FALSE) AS fixed_charged,
                       l.reconciled IS TRUE AS settled,
                       COALESCE(p.dates, '{}') AS payment_dates,
                       COALESCE(p.amounts, '{}') AS payment_amounts
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN account_account a ON a.id = l.account_id
             LEFT JOIN LATERAL (
                        SELECT ARRAY_AGG(pr.max_date ORDER BY pr.max_date, pr.id) AS dates,
                               ARRAY_AGG(pr.debit_amount_currency ORDER BY pr.max_date, pr.id) AS amounts,
                               MAX(pr.max_date) AS last_date
                          FROM account_partial_reconcile pr
                         WHERE pr.debit_move_id = l.id
                       ) p ON TRUE
                 WHERE l.company_id = %(company)s
                   AND l.parent_state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND l.amount_currency > 0
                   AND m.move_type = 'out_invoice'
                   AND m.payment_state != 'reversed'
                   AND m.ar_is_dunning_charge IS NOT TRUE
                   AND m.commercial_partner_id = ANY(%(ids)s)
                   AND COALESCE(l.date_maturity, m.invoice_date_due, m.invoice_date) < %(today)s
                   AND (
                        l.reconciled IS NOT TRUE
                        OR (m.commercial_partner_id = ANY(%(paid_late)s)
                            AND p.last_date > COALESCE(l.date_maturity, m.invoice_date_due, m.invoice_date)
                            AND p.last_date >= %(since)s
                            AND (m.ar_fixed_fee_charged IS NOT TRUE
                                 OR p.last_date > COALESCE(l.ar_interest_charged_until,
                                                           COALESCE(m.invoice_date_due, l.date_maturity)
                                                           + COALESCE(m.ar_interest_days_charged, 0))))
                   )
              ORDER BY l.id
                """,
                company=company.id,
                ids=list(policies),
                paid_late=paid_late,
                since=since,
                today=today,
            )
        )
        items = defaultdict(list)
        for row in rows:
            row["payments"] = list(zip(row.pop("payment_dates"), row.pop("payment_amounts"), strict=True))
            items[row["partner_id"]].append(row)
        return items

    @api.model
    def _ar_late_charges(self, policy, rows, move_ids, today):
        """The charges due today on ``rows`` (from ``_ar_gather_late_items``), per invoice, by the core.

        Open items are charged when their invoice is in ``move_ids`` (the
        invoices being reminded); settled items when the policy charges late
        payments and they were settled on or after its start date.

        :return: ``[late_charges.InvoiceCharge]`` in each invoice's currency
        """
        since = policy.charge_paid_late_from
        chosen = [
            row
            for row in rows
            if (not row["settled"] and row["move_id"] in move_ids)
            or (
                row["settled"]
                and policy.charge_paid_late
                and (not since or max((date for date, _amount in row["payments"]), default=since) >= since)
            )
        ]
        currencies = self.env["res.currency"].browse({row["currency_id"] for row in chosen})
        company = policy.company_id or self.env.company
        fixed = {
            currency.id: policy.currency_id._convert(policy.charge_fixed_amount, currency, company, today)
            for currency in currencies
        }
        digits = {currency.id: currency.decimal_places for currency in currencies}
        table = policy._ar_charge_rate_table()
        charges = []
        for currency in currencies:
            items = [
                late_charges.LateItem(
                    key=row["id"],
                    invoice=row["move_id"],
                    currency=row["currency_id"],
                    due_date=row["due_date"],
                    amount=row["amount"],
                    payments=tuple(row["payments"]),
                    charged_until=row["charged_until"],
                    fixed_charged=row["fixed_charged"],
                )
                for row in chosen
                if row["currency_id"] == currency.id
            ]
            charges += late_charges.late_charges(items, today, table, fixed, digits=digits[currency.id])
        return charges

    @api.model
    def _ar_invoice_late_charges(self, partner, policy, charges, names, today):
        """One posted charge invoice per currency for ``charges``; records what was charged.

        :param names: ``{invoice id: name}`` for the line labels
        :return: the charge invoices (``account.move``)
        """
        Move = self.env["account.move"].sudo()
        moves = Move
        if not charges:
            return moves
        env = self.with_context(lang=partner.lang or self.env.lang).env
        by_currency = defaultdict(list)
        for charge in charges:
            by_currency[charge.currency].append(charge)
        for currency_id, currency_charges in by_currency.items():
            lines = []
            for charge in currency_charges:
                lines += self._ar_charge_lines_vals(env, policy, charge, names[charge.invoice])
            move = Move.create(
                {
                    "move_type": "out_invoice",
                    "company_id": self.env.company.id,
                    "partner_id": partner.id,
                    "currency_id": currency_id,
                    "invoice_date": today,
                    "ar_is_dunning_charge": True,
                    "invoice_line_ids": [Command.create(vals) for vals in lines],
                }
            )
            try:
                with self.env.cr.savepoint():
                    move.action_post()
            except UserError as error:  # a blocking credit policy: leave it to a person
                move.message_post(body=str(error), subtype_xmlid="mail.mt_note")
            moves |= move
        self._ar_record_charged(charges)
        return moves

    @api.model
    def _ar_charge_lines_vals(self, env, policy, charge, invoice_name):
        """Invoice line values of one invoice's charges: its interest, then its fixed compensation."""
        lines = []
        if charge.interest:
            items = [item for item in charge.items if item.interest]
            start = min(item.start for item in items)
            end = max(item.end for item in items)
            rates = list(dict.fromkeys(rate for item in items for rate in item.rates))
            if len(rates) == 1:
                name = env._(
                    "Late-payment interest on %(invoice)s: %(days)s days at %(rate)s %% a year",
                    invoice=invoice_name,
                    days=(end - start).days,
                    rate=rates[0],
                )
            else:
                name = env._(
                    "Late-payment interest on %(invoice)s: %(days)s days from %(start)s to %(end)s "
                    "at %(rates)s %% a year",
                    invoice=invoice_name,
                    days=(end - start).days,
                    start=format_date(env, start),
                    end=format_date(env, end),
                    rates=" / ".join(str(rate) for rate in rates),
                )
            lines.append(
                {
                    "product_id": policy.charge_product_id.id,
                    "name": name,
                    "quantity": 1.0,
                    "price_unit": charge.interest,
                }
            )
        if charge.fixed:
            lines.append(
                {
                    "product_id": policy.charge_product_id.id,
                    "name": env._("Fixed recovery compensation on %(invoice)s", invoice=invoice_name),
                    "quantity": 1.0,
                    "price_unit": charge.fixed,
                }
            )
        return lines

    @api.model
    def _ar_record_charged(self, charges):
        """Remember up to which day each item's interest and whether each invoice's compensation is charged."""
        Line = self.env["account.move.line"].sudo()
        Move = self.env["account.move"].sudo()
        for charge in charges:
            for item in charge.items:
                line = Line.browse(item.key)
                if not line.ar_interest_charged_until or line.ar_interest_charged_until < item.end:
                    line.ar_interest_charged_until = item.end
            move = Move.browse(charge.invoice)
            due = move.invoice_date_due or move.invoice_date
            days = max([(item.end - due).days for item in charge.items] + [move.ar_interest_days_charged])
            move.write(
                {
                    "ar_interest_days_charged": days,
                    "ar_fixed_fee_charged": move.ar_fixed_fee_charged or bool(charge.fixed),
                }
            )
