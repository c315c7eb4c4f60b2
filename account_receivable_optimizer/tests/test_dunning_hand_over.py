import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .dunning_common import ArDunningCommon


@tagged("post_install", "-at_install")
class TestDunningHandOverOnce(ArDunningCommon):
    """A customer handed over (or waiting for the confirmation) is not handed over again every run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-01"):
            cls.old = cls._invoice(1000.0, invoice_date="2026-03-01", due_date="2026-03-31")
            cls.new = cls._invoice(500.0, invoice_date="2026-03-01", due_date="2026-06-10")

    def _nights(self, first, last):
        day = self._date(first)
        while day <= self._date(last):
            self._run(day.isoformat())
            day += datetime.timedelta(days=1)

    def _history(self):
        return [
            (comm.date.isoformat(), comm.level_id.name, comm.hand_over_state or "", comm.line_ids.move_id.ids)
            for comm in self._communications()
        ]

    def test_hand_over_once_while_waiting_and_after_confirmation(self):
        both = [self.old.id, self.new.id]
        self._nights("2026-03-20", "2026-06-30")
        history = [
            ("2026-03-26", "Courtesy reminder", "", both),
            ("2026-04-10", "Reminder", "", both),
            ("2026-04-30", "Formal notice", "", both),
            ("2026-05-30", "Hand-over", "to_confirm", both),
            # the new invoice moves on alone: its own levels, the handed-over one left out
            ("2026-06-05", "Courtesy reminder", "", [self.new.id]),
            ("2026-06-20", "Reminder", "", [self.new.id]),
        ]
        self.assertEqual(self._history(), history)
        comms = self._communications()
        self.assertEqual(self._mails().mapped("res_id"), (comms[:3] | comms[4:]).ids)
        self.assertRecordValues(comms[4:], [{"amount_total": 500.0}, {"amount_total": 500.0}])
        self.assertEqual(
            self._activities().mapped("summary"),
            ["Call the customer", "Send the file to the agency", "Confirm the hand-over to collection"],
        )
        self.assertRecordValues(
            self.old.line_ids.filtered("ar_dunning_level_id"), [{"ar_dunning_level_id": self.handover.id}]
        )

        # confirmed on 1 July: the new invoice still follows its levels, nothing is handed over again
        comms[3].with_user(self.collector).action_confirm_hand_over()
        self.assertEqual(self.customer.ar_collection_state, "handed_over")
        self._nights("2026-07-01", "2026-07-31")
        history[3] = ("2026-05-30", "Hand-over", "done", both)
        self.assertEqual(self._history(), [*history, ("2026-07-10", "Formal notice", "", [self.new.id])])
        self.assertEqual(len(self._mails()), 6)
        self.assertEqual(
            self._activities().mapped("summary"),
            ["Call the customer", "Send the file to the agency", "Call the customer"],
        )
        self.assertEqual(len(self._communications().filtered("hand_over_state")), 1)
