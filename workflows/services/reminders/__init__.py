"""Reminders (催办) and escalation (督办): the supervisor's 催办, and the daily job.

- ``assignment_remind`` / ``unit_remind_overdue``: the plan's supervisor urges a unit about one
  assignment, or about all its overdue ones in a plan (one mail listing them all).
- ``reminders_daily``: on working days, each person gets ONE digest of their red and yellow items
  (what ``assignments_awaiting`` says they must act on now), and every overdue assignment climbs the
  督办 ladder (``SUPERVISION_ESCALATION_WORKING_DAYS``: first notice, second notice, reported to
  leadership), one notice per level at most. When an assignment has jumped past several thresholds
  since the last run (the job did not run, or its due date was moved back), only the highest level
  reached is issued: the skipped levels are named in the audit event, not mailed the same day.

Every write owns its transaction and its audit events; mail leaves after the commit, so a refused or
rolled-back change sends nothing. Running the daily job twice on one day sends nothing new
(``DigestSent`` and ``EscalationNotice`` are unique per person/day and assignment/level).
"""
from .daily import reminders_daily  # noqa: F401
from .ladder import escalations_due, ladder, rung_reached  # noqa: F401
from .mail import MESSAGE_MAX_CHARS, DailyRun, assignment_url  # noqa: F401
from .urging import assignment_remind, overdue_of_unit, unit_remind_overdue  # noqa: F401
