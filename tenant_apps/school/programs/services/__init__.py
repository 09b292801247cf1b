"""Writes on programs and enrolments, in the current school tenant's schema.

Rules (issue 4, points 1 and 2; seed 000 — bootcamps and advanced courses, registration requests
approved by staff, capacity and statuses):

* Programs move only along ``models.TRANSITIONS`` (``draft`` -> ``registration_open`` ->
  ``in_progress`` -> ``completed``; anything not final -> ``cancelled``); any other move is
  ``invalid_status_transition`` (409). Cancelling a program cancels its live enrolments;
  completing it cancels the requests and waitlist entries that never got a seat.
* A student asks for a seat only while registration is open, and has at most one live
  (requested, waitlisted or approved) enrolment per program (``already_enrolled``, 409).
* Support or admin approve or reject (with a reason) a request. An approval takes a seat if one
  is free, else puts the request on the waitlist. Seats are approved enrolments, at most
  ``capacity``; the count is read under the program's row lock, so two approvals racing for the
  last seat are served one after the other: one wins, the other is waitlisted.
* The waitlist is first in, first out. When a seat frees up (an approved enrolment is withdrawn
  or cancelled, or the capacity is raised), the first waitlisted enrolments are approved
  automatically in the same transaction, each with its invoice and a notification.
* An approval issues an invoice through ``payments.services.invoice_create``: one line at the
  program's price in its currency, due ``min(start date, today + INVOICE_DUE_DAYS)`` but never
  before today; a free program issues none. The payment state is the invoice's (payments app).
* Every state change is audited inside its transaction; the student is notified of every
  decision about their enrolment, support and admin of every new request.

Locking: a write that reads or changes seats locks the **program row first**
(``program_lock``, ``SELECT ... FOR NO KEY UPDATE``), then the enrolment rows it changes, in primary-key
order. Invoices are locked by the payments app after that (invoice creation locks the invoice
counter). Every function is atomic.
"""

from tenant_apps.school.programs.services.enrolments import (
    INVOICE_DUE_DAYS,
    enrolment_approve,
    enrolment_cancel,
    enrolment_reject,
    enrolment_request,
    enrolment_withdraw,
)
from tenant_apps.school.programs.services.programs import (
    EDITABLE_FIELDS,
    RESERVED_SLUGS,
    program_create,
    program_delete,
    program_transition,
    program_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "INVOICE_DUE_DAYS",
    "RESERVED_SLUGS",
    "enrolment_approve",
    "enrolment_cancel",
    "enrolment_reject",
    "enrolment_request",
    "enrolment_withdraw",
    "program_create",
    "program_delete",
    "program_transition",
    "program_update",
]
