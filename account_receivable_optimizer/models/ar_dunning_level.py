from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib.ar_core import bounds, dunning
from . import ar_limits
from .ar_credit_policy_dunning import DEFAULT_LEVELS

LEVEL_LIMITS = {
    "sequence": (-bounds.MAX_SEQUENCE, bounds.MAX_SEQUENCE),
    "offset_days": (-bounds.MAX_DAYS, bounds.MAX_DAYS),
    "min_interval_days": (0, bounds.MAX_DAYS),
}


class ArDunningLevel(models.Model):
    _name = "ar.dunning.level"
    _description = "Dunning Level"
    _inherit = ["ar.bounded.mixin"]
    _ar_limits = LEVEL_LIMITS
    _order = "policy_id, offset_days, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "ar.credit.policy",
        string="Credit Policy",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    sequence = fields.Integer(default=10, help="Display order; the escalation follows the offsets.")
    name = fields.Char(required=True, translate=True, help="For example: Courtesy reminder, Formal notice.")
    offset_days = fields.Integer(
        string="Days after due date",
        required=True,
        help="An invoice reaches this level this many days after its due date. "
        "A negative number is a courtesy reminder before the due date (-5: five days before). -3650 to 3650.",
    )
    min_interval_days = fields.Integer(
        string="Minimum days since previous reminder",
        default=0,
        help="The customer gets this level only if its previous reminder is at least this many days old. "
        "0: only one reminder a day. 0 to 3650.",
    )
    risk_grades = fields.Char(
        string="Only for grades",
        help="Risk grades this level applies to, for example 'DE' (grades D and E get it, the others do not). "
        "Empty: every customer. Lets risky customers start at a later level or follow their own levels.",
    )
    send_email = fields.Boolean(
        string="Email", default=True, help="Email the customer the list of its open invoices and the total due."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'ar.dunning.communication')]",
        default=lambda self: self.env.ref(
            "account_receivable_optimizer.mail_template_dunning", raise_if_not_found=False
        ),
        help="Template of the reminder email, rendered in the customer's language.",
    )
    send_sms = fields.Boolean(
        string="SMS",
        help="Also send a short text message, in the customer's language, with the link to its portal page: once "
        "per level for the same invoices, to the mobile (else phone) number of the invoicing contact. Each SMS "
        "is sent through Odoo's SMS service (IAP) and costs credits, about one per 160 characters and "
        "recipient: see your IAP account for the price in your country.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'ar.dunning.communication')]",
        default=lambda self: self.env.ref(
            "account_receivable_optimizer.sms_template_dunning", raise_if_not_found=False
        ),
        help="Template of the reminder SMS, rendered in the customer's language. Keep it short: its cost grows "
        "with every 160 characters.",
    )
    print_letter = fields.Boolean(
        string="Letter", help="Attach a PDF letter with the same content to the communication, to print and post."
    )
    create_activity = fields.Boolean(
        string="Collector Task", help="Plan a to-do activity for the customer's collector, for example a call."
    )
    activity_summary = fields.Char(
        translate=True, help="Summary of the collector's task, for example 'Call the customer'."
    )
    tone = fields.Selection(
        [
            ("courtesy", "Courtesy"),
            ("reminder", "Reminder"),
            ("firm", "Firm reminder"),
            ("formal_notice", "Formal notice"),
        ],
        default="reminder",
        required=True,
        help="Wording of the email and the letter: a friendly note before the due date, a reminder, a firm "
        "reminder, or a formal notice to pay (mise en demeure) with its legal mentions.",
    )
    hand_over_confirm = fields.Boolean(
        string="Confirm Hand-over",
        default=True,
        help="The hand-over waits for a Credit Controller's confirmation on the reminder (a task is planned); "
        "otherwise it happens at once.",
    )
    hand_over = fields.Boolean(
        string="Hand Over to Collection",
        help="Last step: the customer's collection state becomes 'Handed over' and a case file "
        "(invoices and reminder history) is attached to the communication.",
    )
    hand_over_target = fields.Selection(
        [("collection", "Collection agency"), ("insurer", "Credit insurer")],
        string="Hand Over To",
        default="collection",
        required=True,
        help="Credit insurer: the declaration pack of the threat of loss (XLSX and PDF of the overdue items, "
        "reminders sent, promises and disputes) is attached too, when a cover of the customer counts on the day.",
    )

    @api.constrains("offset_days", "min_interval_days", "policy_id")
    def _check_offsets(self):
        for policy in self.policy_id:
            levels = policy.ar_dunning_level_ids
            try:
                dunning.validate_levels(levels._to_core())
            except ValueError as error:
                if any(level.min_interval_days < 0 for level in levels):
                    raise ValidationError(
                        self.env._(
                            "The minimum days since the previous reminder cannot be negative "
                            "(credit policy %(policy)s): use 0 for no minimum.",
                            policy=policy.display_name,
                        )
                    ) from error
                raise ValidationError(
                    self.env._(
                        "Two dunning levels of credit policy %(policy)s have the same number of days after "
                        "the due date: give each level its own offset.",
                        policy=policy.display_name,
                    )
                ) from error

    @api.constrains("risk_grades")
    def _check_risk_grades(self):
        for level in self.filtered("risk_grades"):
            try:
                dunning.validate_grades(level.risk_grades)
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s: 'Only for grades' takes risk grades A to E, each once "
                        "(for example DE), not %(grades)s.",
                        level=level.name,
                        grades=level.risk_grades,
                    )
                ) from error

    @api.constrains("name")
    def _check_name(self):
        for level in self:
            ar_limits.check_name(level)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("policy_id") and "company_id" not in vals:
                vals["company_id"] = self.env["ar.credit.policy"].browse(vals["policy_id"]).company_id.id
        return super().create(vals_list)

    @api.constrains("send_email", "mail_template_id")
    def _check_mail_template(self):
        for level in self:
            if level.send_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s sends an email: choose its email template, or untick 'Email'.",
                        level=level.name,
                    )
                )

    def _ar_set_french_names(self, names):
        """Store the French name and task summary of each level: ``names`` is ``[(name, summary)]``.

        Written in the translations of the fields even when French is not
        installed yet (the ORM only writes installed languages), so that the
        levels read in French as soon as it is.
        """
        self.flush_recordset(["name", "activity_summary"])
        for level, (name, summary) in zip(self, names, strict=True):
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE ar_dunning_level
                       SET name = name || jsonb_build_object('fr_FR', %(name)s::text),
                           activity_summary = CASE
                               WHEN activity_summary IS NULL OR %(summary)s = '' THEN activity_summary
                               ELSE activity_summary || jsonb_build_object('fr_FR', %(summary)s::text)
                           END
                     WHERE id = %(id)s
                    """,
                    name=name,
                    summary=summary or "",
                    id=level.id,
                )
            )
        self.invalidate_recordset(["name", "activity_summary"])

    @api.model
    def _ar_fill_french_names(self):
        """Give the shipped levels still named in English only their French name and task summary.

        For the databases whose levels were created before their French names were stored with
        them; a level whose name was changed, or that has a French name, is left as it is.
        """
        self.flush_model(["name", "activity_summary"])
        english = {values[0]: (values[8], values[9]) for values in DEFAULT_LEVELS}
        rows = self.env.execute_query(
            SQL(
                "SELECT id, name->>'en_US' FROM ar_dunning_level WHERE NOT name ? 'fr_FR' AND name->>'en_US' = ANY(%s)",
                list(english),
            )
        )
        levels = self.browse([row[0] for row in rows])
        levels._ar_set_french_names([english[row[1]] for row in rows])

    def _to_core(self):
        return [
            dunning.Level(
                key=level.id,
                offset_days=level.offset_days,
                min_interval_days=level.min_interval_days,
                grades=(level.risk_grades or "").upper(),
                hand_over=level.hand_over,
            )
            for level in self
        ]

    def _channels(self):
        self.ensure_one()
        labels = []
        if self.send_email:
            labels.append(self.env._("Email"))
        if self.send_sms:
            labels.append(self.env._("SMS"))
        if self.print_letter:
            labels.append(self.env._("Letter"))
        if self.create_activity:
            labels.append(self.env._("Collector task"))
        if self.hand_over:
            labels.append(self.env._("Hand-over"))
        return ", ".join(labels)
