import datetime
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..lib.ar_core import bounds, forecast
from ..models import ar_limits
from ..models.ar_invoice_payments import invoice_payments_sql
from ..models.ar_receivable_accounts import receivable_account_ids
from .ar_report_mixin import open_amount_segments_sql, open_amounts_at_sql

FORECAST_LIMITS = {"past_weeks": (0, 52)}

#: Columns of the forecast lines, written in one query.
LINE_COLUMNS = [
    ("report_id", "int4"),
    ("company_id", "int4"),
    ("kind", "varchar"),
    ("week", "varchar"),
    ("week_start", "date"),
    ("move_line_id", "int4"),
    ("move_id", "int4"),
    ("partner_id", "int4"),
    ("date_maturity", "date"),
    ("promise_date", "date"),
    ("delay_days", "numeric"),
    ("expected_date", "date"),
    ("disputed", "bool"),
    ("doubtful", "bool"),
    ("amount", "numeric"),
    ("actual_amount", "numeric"),
    ("forecast_stored", "bool"),
]
#: Window of the payment behaviour that gives each customer's delay, in days.
DELAY_WINDOW_DAYS = 365


class ArForecastReport(models.Model):
    """Collection forecast: open invoices spread over the next 13 weeks,
    "later" and "doubtful", and, for past weeks, what was forecast against
    what came in.

    Expected payment date of an open invoice item: its promise date if any
    (:meth:`_ar_promise_dates`), else its due date plus the customer's
    amount-weighted average delay over the last 12 months, or that delay
    after today when the item is already later (``ar_core.forecast``).
    Invoices with an open dispute (:meth:`_ar_disputed_line_ids`), of
    customers handed over to collection, or late beyond the customer's
    delay by more than their policy's threshold are doubtful.
    """

    _name = "ar.forecast.report"
    _inherit = ["ar.report.mixin"]
    _description = "Collection Forecast"
    _order = "id desc"

    date_from = fields.Date(
        string="Forecast from",
        required=True,
        default=fields.Date.context_today,
        help="The forecast starts with the week (Monday to Sunday) of this day, from 1900 to today.",
    )
    past_weeks = fields.Integer(
        default=4,
        required=True,
        help="Number of past weeks shown with their forecast against what was actually collected (0 to 52).",
    )
    line_ids = fields.One2many("ar.forecast.report.line", "report_id", string="Lines")
    forecast_mape = fields.Float(
        string="Forecast Error (MAPE %)",
        digits=(16, 2),
        readonly=True,
        help="Mean absolute percentage error of the forecasts stored before each of the last 13 weeks, "
        "against what was collected in the week; weeks with nothing collected are left out. "
        "Empty when no stored forecast can be measured.",
    )
    forecast_wape = fields.Float(
        string="Forecast Error (WAPE %)",
        digits=(16, 2),
        readonly=True,
        help="Sum of the absolute errors of the last 13 weeks divided by the sum collected: "
        "counts the weeks with nothing collected too.",
    )
    forecast_collected_weeks = fields.Integer(
        string="Weeks with Collections",
        readonly=True,
        help="Measured weeks in which something was collected: the weeks of the MAPE. "
        "None: the errors are undefined (empty, not 0).",
    )
    forecast_error_weeks = fields.Integer(
        string="Weeks Measured",
        readonly=True,
        help="Past weeks (of the last 13) for which a forecast was stored before the week started.",
    )

    @api.constrains("past_weeks")
    def _check_past_weeks(self):
        for report in self:
            if not 0 <= report.past_weeks <= 52:
                raise ValidationError(self.env._("Show 0 to 52 past weeks in the collection forecast."))

    @api.constrains("date_from")
    def _check_date_from(self):
        for report in self:
            ar_limits.check_date(report, "date_from", bounds.MIN_DATE, fields.Date.context_today(self))

    @api.model_create_multi
    def create(self, vals_list):
        ar_limits.check_vals(self, vals_list, FORECAST_LIMITS)
        return super().create(vals_list)

    def write(self, vals):
        ar_limits.check_vals(self, [vals], FORECAST_LIMITS)
        return super().write(vals)

    @api.depends("date_from")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._(
                "Collection forecast from %(date)s", date=format_date(self.env, report.date_from)
            )

    def action_open_lines(self):
        self.ensure_one()
        self._compute_lines()
        return self._ar_lines_action()

    def _ar_lines_action(self):
        return self._ar_run_lines_action("account_receivable_optimizer.ar_forecast_report_line_action")

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------

    def _ar_promise_dates(self, line_ids):
        """``{journal item id: promised payment date}`` of the open items.

        The date of the pending promise to pay covering the item's invoice
        (the latest when several do); one query.
        """
        if not line_ids:
            return {}
        self.env["ar.payment.promise"].flush_model(["move_ids", "promised_date", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.id, MAX(pp.promised_date)
                  FROM account_move_line aml
                  JOIN ar_payment_promise_move_rel rel ON rel.move_id = aml.move_id
                  JOIN ar_payment_promise pp ON pp.id = rel.promise_id
                 WHERE aml.id = ANY(%s)
                   AND pp.state = 'pending'
              GROUP BY aml.id
                """,
                list(line_ids),
            )
        )
        return dict(rows)

    def _ar_disputed_line_ids(self, line_ids):
        """Ids of the open items whose invoice has an open dispute (forecast "later"); one query."""
        if not line_ids:
            return set()
        self.env["account.move"].flush_model(["ar_dispute_open"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.id
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE aml.id = ANY(%s)
                   AND m.ar_dispute_open
                """,
                list(line_ids),
            )
        )
        return {row[0] for row in rows}

    def _ar_customer_collection(self, partner_ids):
        """``({customer id: doubtful threshold in days}, {customers handed over})`` in the report's company.

        The threshold of the customer's credit policy; key ``None``: the
        company's default policy, for items without a customer.
        """
        company = self.company_id
        partners = self.env["res.partner"].browse([pid for pid in partner_ids if pid]).with_company(company).sudo()
        thresholds = {None: company.ar_credit_policy_id.forecast_doubtful_days}
        handed_over = set()
        for partner in partners:
            thresholds[partner.id] = partner._ar_get_credit_policy().forecast_doubtful_days
            if partner.ar_collection_state == "handed_over":
                handed_over.add(partner.id)
        return thresholds, handed_over

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _ar_first_week(self):
        """Monday of the first forecast week."""
        self.ensure_one()
        return forecast.week_start(self.date_from)

    def _fetch_delays(self, today):
        """``{commercial partner id: average delay in days}`` over the last 12 months."""
        rows = self.env.execute_query(
            SQL(
                "SELECT partner_id, due_date, payment_date, SUM(amount) FROM (%s) pay GROUP BY 1, 2, 3",
                invoice_payments_sql(
                    today - datetime.timedelta(days=DELAY_WINDOW_DAYS - 1), today, self._filters_sql()
                ),
            )
        )
        payments = defaultdict(list)
        for partner_id, due_date, payment_date, amount in rows:
            payments[partner_id].append((due_date, payment_date, float(amount)))
        return {partner_id: forecast.customer_delay(items) for partner_id, items in payments.items()}

    def _fetch_open_items(self, cuts):
        """Open debit items on each date of ``cuts``: ``[(cut, id, partner, move, due, amount)]``.

        Open amount on a cut = residual + reconciliations dated after it
        (``open_amounts_at_sql``, the one source of the open amounts on past days).
        """
        rows = self.env.execute_query(
            SQL(
                """
                SELECT o.cut, o.line_id, o.partner_id, o.move_id, o.due, o.amount
                  FROM (%s) o
                 WHERE o.amount > 0
                """,
                open_amounts_at_sql(
                    open_amount_segments_sql(
                        receivable_account_ids(self.env),
                        self.company_ids.ids,
                        min(cuts),
                        max(cuts),
                        filters=self._filters_sql(),
                        debit_only=True,
                    ),
                    cuts,
                ),
            )
        )
        return [(cut, line_id, partner, move, due, float(amount)) for cut, line_id, partner, move, due, amount in rows]

    def _fetch_collections(self, first, last):
        """``[(date, amount)]`` collected on customer invoices between ``first`` and ``last``."""
        rows = self.env.execute_query(
            SQL(
                "SELECT payment_date, SUM(amount) FROM (%s) pay GROUP BY 1",
                invoice_payments_sql(first, last, self._filters_sql(), invoices_only=False),
            )
        )
        return [(day, float(amount)) for day, amount in rows]

    def _compute_lines(self, accuracy=True):
        """Replace the lines: one per open item (future weeks), one per past week.

        :param accuracy: also measure the error of the stored forecasts of the last 13 weeks
        """
        self.ensure_one()
        self._flush_receivables()
        self.env.execute_query(SQL("DELETE FROM ar_forecast_report_line WHERE report_id = %s", self.id))
        today = fields.Date.context_today(self)
        first_week = self._ar_first_week()
        past_starts = [first_week - datetime.timedelta(weeks=n) for n in range(self.past_weeks, 0, -1)]
        # open amounts at the end of the day before each past week, and now
        cuts = [start - datetime.timedelta(days=1) for start in past_starts] + [today]
        delays = self._fetch_delays(today)
        items = self._fetch_open_items(cuts)
        current = [item for item in items if item[0] == today]
        promises = self._ar_promise_dates([item[1] for item in current])
        disputed = self._ar_disputed_line_ids([item[1] for item in current])
        thresholds, handed_over = self._ar_customer_collection({item[2] for item in current})
        vals_list = []
        for _cut, line_id, partner_id, move_id, due, amount in current:
            delay = delays.get(partner_id, 0.0)
            promise = promises.get(line_id)
            doubtful = forecast.is_doubtful(
                due,
                delay,
                today,
                thresholds.get(partner_id, thresholds[None]),
                disputed=line_id in disputed,
                handed_over=partner_id in handed_over,
                promised=bool(promise),
            )
            expected = None if doubtful else forecast.expected_payment_date(due, delay, promise, today=today)
            week = forecast.DOUBTFUL if doubtful else forecast.week_index(expected, first_week)
            week_start = first_week + datetime.timedelta(weeks=week) if isinstance(week, int) else None
            vals_list.append(
                {
                    "kind": "open",
                    "week_start": week_start,
                    # a code for 'later' and 'doubtful': the words are rendered when read
                    "week": week_start.isoformat() if week_start else week,
                    "move_line_id": line_id,
                    "move_id": move_id,
                    "partner_id": partner_id,
                    "date_maturity": due,
                    "promise_date": promise,
                    "delay_days": delay,
                    "expected_date": expected,
                    "disputed": line_id in disputed,
                    "doubtful": doubtful,
                    "amount": amount,
                }
            )
        vals_list += self._past_week_vals(past_starts, items, delays, thresholds)
        for vals in vals_list:
            vals.update(report_id=self.id, company_id=self.company_id.id)
        self._ar_insert_lines("ar.forecast.report.line", LINE_COLUMNS, vals_list)
        self.invalidate_recordset(["line_ids"])
        if accuracy:
            self._ar_measure_accuracy(first_week)

    def _ar_stored_forecasts(self, weeks):
        """``{week: amount}`` stored before each of ``weeks`` for the report's filters.

        Stored forecasts are per customer: with a salesperson filter none is
        used (empty result).
        """
        if self.user_ids:
            return {}
        return self.env["ar.forecast.week"]._ar_stored_forecasts(
            self.company_ids.ids, weeks, self.partner_ids.commercial_partner_id.ids, self.risk_grade
        )

    def _ar_measure_accuracy(self, first_week):
        """Store the error of the forecasts stored before each of the 13 weeks before ``first_week``.

        ``forecast.forecast_errors``: MAPE over the weeks with something
        collected, WAPE over all of them; empty when undefined.
        """
        weeks = self.env["ar.forecast.week"]._ar_accuracy_weeks(first_week)
        stored = self._ar_stored_forecasts(weeks)
        actual = forecast.past_week_totals(
            self._fetch_collections(weeks[0], weeks[-1] + datetime.timedelta(days=6)), weeks[0], len(weeks)
        )
        errors = forecast.forecast_errors(
            (stored[week], collected) for week, collected in zip(weeks, actual, strict=True) if week in stored
        )
        # undefined errors are NULL (empty), never 0: written as the lines are, by SQL
        self.env.execute_query(
            SQL(
                """
                UPDATE ar_forecast_report
                   SET forecast_mape = %(mape)s, forecast_wape = %(wape)s,
                       forecast_error_weeks = %(weeks)s, forecast_collected_weeks = %(collected)s
                 WHERE id = %(id)s
                """,
                mape=errors["mape"],
                wape=errors["wape"],
                weeks=errors["weeks"],
                collected=errors["weeks"] - errors["skipped"],
                id=self.id,
            )
        )
        self.invalidate_recordset(
            ["forecast_mape", "forecast_wape", "forecast_error_weeks", "forecast_collected_weeks"]
        )

    def _past_week_vals(self, past_starts, items, delays, thresholds):
        """One line per past week: what was expected that week and what came in.

        The forecast stored before the week (``ar.forecast.week``) when there
        is one; else the forecast is rebuilt as seen the day before the week:
        items doubtful on the Monday (late beyond the threshold: disputes and
        hand-overs of that time are not kept) were not expected.
        """
        if not past_starts:
            return []
        stored = self._ar_stored_forecasts(past_starts)
        forecast_by_week = []
        for start in past_starts:
            if start in stored:
                forecast_by_week.append(stored[start])
                continue
            cut = start - datetime.timedelta(days=1)
            expected = [
                (forecast.expected_payment_date(due, delays.get(partner_id, 0.0), today=start), amount)
                for item_cut, _line_id, partner_id, _move_id, due, amount in items
                if item_cut == cut
                and not forecast.is_doubtful(
                    due, delays.get(partner_id, 0.0), start, thresholds.get(partner_id, thresholds[None])
                )
            ]
            forecast_by_week.append(forecast.weekly_forecast(expected, start, weeks=1)[0])
        actual = forecast.past_week_totals(
            self._fetch_collections(past_starts[0], past_starts[-1] + datetime.timedelta(days=6)),
            past_starts[0],
            len(past_starts),
        )
        return [
            {
                "kind": "past",
                "week_start": start,
                "week": start.isoformat(),
                "amount": expected,
                "actual_amount": collected,
                "forecast_stored": start in stored,
            }
            for start, expected, collected in zip(past_starts, forecast_by_week, actual, strict=True)
        ]
