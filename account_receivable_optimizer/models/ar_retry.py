"""Concurrency errors of the nightly jobs: retried, never recorded as failures.

A customer paying while the dunning or the grading handles it makes
PostgreSQL refuse one of the two transactions (serialization failure, lock
not available, deadlock). That says nothing about the customer: the job
leaves it for a later batch instead of recording a failure with the raw
database message.
"""

from psycopg2 import OperationalError

from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY


def is_concurrency_error(error):
    """True for a serialization failure, an unavailable lock or a deadlock (worth a retry)."""
    return isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY) or (
        isinstance(error, OperationalError) and error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY
    )
