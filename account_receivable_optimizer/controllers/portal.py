import base64

from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq, format_date, formatLang

from .. import compat
from ..lib.ar_core import aging, dunning, payment_plan

#: Largest attachment a customer may join to a dispute (bytes).
MAX_ATTACHMENT = 10 * 1024 * 1024
PORTAL_ACTIVITY = "account_receivable_optimizer.mail_activity_portal"


class PortalRefused(Exception):
    """Bad input from the portal: its message is shown on the page, nothing is changed."""


class ArReceivablesPortal(CustomerPortal):
    """The customer's open invoices: pay, promise to pay, dispute, ask for a payment plan.

    The server is the only guard: every request checks the access token (or
    the logged-in portal user of the customer), and every invoice posted is
    checked to be an open invoice of that customer in that company.
    """

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def _ar_account(self, account_id, access_token=None):
        """The portal access ``account_id`` (sudo) if this visitor may see it, else ``None``."""
        account = request.env["ar.portal.account"].sudo().browse(account_id).exists()
        if not account:
            return None
        if access_token:
            if not consteq(account.access_token or "", access_token):
                return None
            lang = account.partner_id.lang
            if request.env.user._is_public() and lang and request.env["res.lang"]._lang_get(lang).active:
                # the reminder's link opens the page in the customer's language, as the reminder was written
                request.update_context(lang=lang)
                account = request.env["ar.portal.account"].sudo().browse(account.id)
            return account
        user = request.env.user
        if (
            not user._is_public()
            and user.partner_id.commercial_partner_id == account.partner_id
            and account.company_id in user.company_ids
        ):
            return account
        return None

    def _ar_open_lines(self, partner, company):
        """Open receivable items of the customer invoices of ``partner`` (commercial) in ``company``."""
        return (
            request.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("move_id.commercial_partner_id", "=", partner.id),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", ">", 0),
                ],
                order="date_maturity, id",
            )
        )

    def _ar_invoices(self, account, ids):
        """The invoices ``ids`` of the account's customer and company, whatever their state; refused otherwise."""
        try:
            move_ids = [int(move_id) for move_id in ids]
        except ValueError:
            move_ids = []
        moves = (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("id", "in", move_ids),
                    ("company_id", "=", account.company_id.id),
                    ("commercial_partner_id", "=", account.partner_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                ]
            )
        )
        if not move_ids or len(moves) != len(set(move_ids)):
            raise PortalRefused(request.env._("Choose one or more of your invoices listed on this page."))
        paid = moves.filtered(lambda m: m.payment_state not in ("not_paid", "partial"))
        if paid:
            raise PortalRefused(
                request.env._(
                    "Invoice %(invoices)s is already paid or being paid: nothing to do.",
                    invoices=", ".join(paid.mapped("name")),
                )
            )
        return moves

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_receivable_count" in counters:
            user = request.env.user
            values["ar_receivable_count"] = (
                len(self._ar_open_lines(user.partner_id.commercial_partner_id, user.company_id).move_id)
                if not user._is_public()
                else 0
            )
        return values

    def _ar_page(self, account, access_token=None, error=None, done=None):
        today = fields.Date.context_today(account)
        lines = self._ar_open_lines(account.partner_id, account.company_id)
        company = account.company_id
        policy = account.partner_id.with_company(company)._ar_get_credit_policy()
        reminded = (
            request.env["ar.dunning.communication"]
            .sudo()
            .search([("partner_id", "=", account.partner_id.id), ("company_id", "=", company.id)], limit=1)
        )
        paid = reminded.line_ids.move_id.filtered(lambda m: m.payment_state in ("paid", "in_payment", "reversed"))
        reasons = request.env["ar.dispute.reason"].sudo().search([("company_id", "in", (False, company.id))])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "ar_receivables",
                "account": account,
                "customer": account.partner_id,
                "company": company,
                "access_token": access_token or "",
                "lines": lines,
                "days_late": {line.id: max(aging.days_overdue(line.date_maturity, today), 0) for line in lines},
                "paid_moves": paid,
                "plans": request.env["ar.payment.plan"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", company.id),
                        ("partner_id", "=", account.partner_id.id),
                        ("state", "in", ("proposed", "active")),
                    ]
                ),
                "reasons": reasons,
                "policy": policy,
                "today": today,
                "last_promise_date": fields.Date.add(today, days=policy.portal_promise_max_days),
                "error": error,
                "done": done,
            }
        )
        return request.render("account_receivable_optimizer.portal_my_receivables", values)

    @http.route("/my/receivables", type="http", auth="user", website=True)
    def ar_my_receivables(self, **kw):
        user = request.env.user
        account = request.env["ar.portal.account"]._ar_get(user.partner_id, user.company_id)
        return request.redirect(f"/my/receivables/{account.id}")

    @http.route("/my/receivables/<int:account_id>", type="http", auth="public", website=True)
    def ar_receivables(self, account_id, access_token=None, done=None, **kw):
        account = self._ar_account(account_id, access_token)
        if not account:
            return request.not_found()
        done = done if done in ("promise", "dispute", "plan", "signed") else None
        return self._ar_page(account, access_token, done=done)

    def _ar_post(self, account_id, access_token, action, kind):
        """Run ``action(account)`` in a savepoint; show its error on the page, or go back to the page."""
        account = self._ar_account(account_id, access_token)
        if not account:
            return request.not_found()
        try:
            with request.env.cr.savepoint():
                action(account.with_company(account.company_id))
        except (PortalRefused, ValidationError, UserError) as error:
            message = error.args[0] if error.args else str(error)
            return self._ar_page(account, access_token, error=message)
        query = {"done": kind}
        if access_token:
            query["access_token"] = access_token
        return request.redirect(f"/my/receivables/{account.id}?{url_encode(query)}")

    def _ar_notify(self, account, summary, note):
        """Tell the collector (a task of the portal type) and keep it in the customer's chatter.

        ``summary`` and ``note`` are functions of an environment returning the text: the task is
        written in the collector's language, not in the customer's.
        """
        partner = account.partner_id.with_company(account.company_id)
        partner.message_post(body=note(partner.env), subtype_xmlid="mail.mt_note")
        partner._ar_schedule_task(summary, note, fields.Date.context_today(partner), activity_type=PORTAL_ACTIVITY)

    # ------------------------------------------------------------------
    # What the customer does
    # ------------------------------------------------------------------

    @http.route("/my/receivables/<int:account_id>/promise", type="http", auth="public", methods=["POST"], website=True)
    def ar_promise(self, account_id, access_token=None, **post):
        move_ids = request.httprequest.form.getlist("move_ids")

        def promise(account):
            env = account.env
            moves = self._ar_invoices(account, move_ids)
            try:
                amount = float(post.get("amount") or "")
                date = fields.Date.to_date(post.get("date") or "")
            except ValueError:
                raise PortalRefused(env._("Give the amount and the date of your payment.")) from None
            if not date:
                raise PortalRefused(env._("Give the amount and the date of your payment."))
            policy = account.partner_id._ar_get_credit_policy()
            today = fields.Date.context_today(account)
            due = sum(moves.mapped("amount_residual_signed"))
            currency = account.company_id.currency_id
            try:
                dunning.validate_promise(
                    amount,
                    date,
                    due,
                    today,
                    currency.decimal_places,
                    max_days=policy.portal_promise_max_days,
                    min_share_percent=policy.portal_promise_min_share,
                )
            except ValueError as error:
                messages = {
                    "past": env._("The date of your payment cannot be in the past."),
                    "far": env._(
                        "You can promise a payment up to %(days)s days ahead, at the latest on %(date)s: "
                        "for a later date, ask for a payment plan.",
                        days=policy.portal_promise_max_days,
                        date=fields.Date.add(today, days=policy.portal_promise_max_days),
                    ),
                    "amount": env._("The amount of your payment must be positive."),
                    "too_much": env._(
                        "The amount %(amount)s is more than the %(due)s still due on these invoices.",
                        amount=currency.format(amount),
                        due=currency.format(due),
                    ),
                    "too_little": env._(
                        "The amount must be at least %(minimum)s (%(share)s%% of the %(due)s due).",
                        minimum=currency.format(
                            dunning.promise_min_amount(due, policy.portal_promise_min_share, currency.decimal_places)
                        ),
                        share=policy.portal_promise_min_share,
                        due=currency.format(due),
                    ),
                }
                raise PortalRefused(messages[str(error)]) from error
            env["ar.payment.promise"].sudo().create(
                {
                    "company_id": account.company_id.id,
                    "partner_id": account.partner_id.id,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "amount": amount,
                    "promised_date": date,
                    "note": env._("Promised by the customer on the portal."),
                }
            )
            self._ar_notify(
                account,
                lambda env: env._("Promise to pay from the portal"),
                lambda env: env._(
                    "%(customer)s promised on the portal to pay %(amount)s on %(date)s for %(invoices)s.",
                    customer=account.partner_id.display_name,
                    amount=formatLang(env, amount, currency_obj=currency),
                    date=format_date(env, date),
                    invoices=", ".join(moves.mapped("name")),
                ),
            )

        return self._ar_post(account_id, access_token, promise, "promise")

    @http.route("/my/receivables/<int:account_id>/dispute", type="http", auth="public", methods=["POST"], website=True)
    def ar_dispute(self, account_id, access_token=None, **post):
        def dispute(account):
            env = account.env
            moves = self._ar_invoices(account, [post.get("move_id") or ""])
            reason = (
                env["ar.dispute.reason"]
                .sudo()
                .search(
                    [
                        ("id", "=", int(post["reason_id"]) if (post.get("reason_id") or "").isdigit() else 0),
                        ("company_id", "in", (False, account.company_id.id)),
                    ]
                )
            )
            if not reason:
                raise PortalRefused(env._("Choose the reason of your dispute."))
            message = (post.get("message") or "").strip()
            upload = request.httprequest.files.get("attachment")
            content = upload.read(MAX_ATTACHMENT + 1) if upload and upload.filename else b""
            if len(content) > MAX_ATTACHMENT:
                raise PortalRefused(env._("The attached file is too large (10 MB at most)."))
            record = (
                env["ar.invoice.dispute"]
                .sudo()
                .create(
                    {
                        "company_id": account.company_id.id,
                        "move_id": moves.id,
                        "reason_id": reason.id,
                        "note": message,
                    }
                )
            )
            attachments = env["ir.attachment"]
            if content:
                attachments = (
                    env["ir.attachment"]
                    .sudo()
                    .create(
                        {
                            "name": upload.filename,
                            "datas": base64.b64encode(content),
                            "res_model": record._name,
                            "res_id": record.id,
                        }
                    )
                )

            def note(env):
                return env._(
                    "%(customer)s disputes invoice %(invoice)s on the portal: %(reason)s. %(message)s",
                    customer=account.partner_id.display_name,
                    invoice=moves.name,
                    reason=reason.with_env(env).name,
                    message=message,
                )

            if attachments:
                record.message_post(body=note(env), attachment_ids=attachments.ids, subtype_xmlid="mail.mt_note")
            self._ar_notify(account, lambda env: env._("Dispute from the portal: confirm or resolve it"), note)

        return self._ar_post(account_id, access_token, dispute, "dispute")

    @http.route("/my/receivables/<int:account_id>/plan", type="http", auth="public", methods=["POST"], website=True)
    def ar_plan(self, account_id, access_token=None, **post):
        move_ids = request.httprequest.form.getlist("move_ids")

        def plan(account):
            env = account.env
            moves = self._ar_invoices(account, move_ids)
            policy = account.partner_id._ar_get_credit_policy()
            count = post.get("instalments") or ""
            if not count.isdigit() or not 2 <= int(count) <= policy.portal_plan_max_instalments:
                raise PortalRefused(
                    env._(
                        "A payment plan has from 2 to %(count)s monthly instalments.",
                        count=policy.portal_plan_max_instalments,
                    )
                )
            currency = account.company_id.currency_id
            today = fields.Date.context_today(account)
            draft = (
                env["ar.payment.plan"]
                .sudo()
                .create(
                    {
                        "company_id": account.company_id.id,
                        "partner_id": account.partner_id.id,
                        "move_ids": [fields.Command.set(moves.ids)],
                        "instalment_count": int(count),
                        "first_date": payment_plan.add_months(today, 1),
                        "note": (post.get("message") or "").strip(),
                    }
                )
            )
            draft.action_equal_instalments()
            due = sum(moves.mapped("amount_residual_signed"))
            self._ar_notify(
                account,
                lambda env: env._("Payment plan requested on the portal"),
                lambda env: env._(
                    "%(customer)s asks on the portal to pay %(invoices)s (%(due)s) in %(count)s monthly "
                    "instalments. %(message)s",
                    customer=account.partner_id.display_name,
                    invoices=", ".join(moves.mapped("name")),
                    due=formatLang(env, due, currency_obj=currency),
                    count=int(count),
                    message=(post.get("message") or "").strip(),
                ),
            )

        return self._ar_post(account_id, access_token, plan, "plan")

    @http.route(
        "/my/receivables/<int:account_id>/plan/<int:plan_id>/accept",
        type=compat.JSON_ROUTE,
        auth="public",
        website=True,
    )
    def ar_plan_accept(self, account_id, plan_id, access_token=None, name=None, signature=None):
        """The customer signs a proposed payment plan (the portal's signature form posts here)."""
        access_token = access_token or request.httprequest.args.get("access_token")
        account = self._ar_account(account_id, access_token)
        if not account:
            return {"error": request.env._("This page is not available.")}
        plan = (
            request.env["ar.payment.plan"]
            .sudo()
            .search(
                [
                    ("id", "=", plan_id),
                    ("company_id", "=", account.company_id.id),
                    ("partner_id", "=", account.partner_id.id),
                ]
            )
        )
        if not plan:
            return {"error": request.env._("This payment plan is not available.")}
        try:
            with request.env.cr.savepoint():
                plan.with_company(account.company_id)._ar_accept(name, signature)
                self._ar_notify(
                    account,
                    lambda env: env._("Payment plan accepted on the portal"),
                    lambda env: env._(
                        "%(customer)s signed the payment plan of %(invoices)s (%(count)s instalments), as %(name)s.",
                        customer=account.partner_id.display_name,
                        invoices=", ".join(plan.move_ids.mapped("name")),
                        count=len(plan.line_ids),
                        name=name,
                    ),
                )
        except (ValidationError, UserError) as error:
            return {"error": error.args[0]}
        query = {"done": "signed"}
        if access_token:
            query["access_token"] = access_token
        return {"force_refresh": True, "redirect_url": f"/my/receivables/{account.id}?{url_encode(query)}"}
