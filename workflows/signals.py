"""What the domain announces to the layer above it, which follows each assignment with its viewflow
process (``approvals.flows``). The receivers are connected in one place, ``approvals.apps``.

Both are sent inside the service's transaction, so a receiver that fails undoes the change. They
carry no permission decision and no audit: the service has made both before sending.
"""
from django.dispatch import Signal

# New assignments (dispatch, a transfer's successor), sent with ``assignments``: a list of them.
assignments_opened = Signal()

# An FSM transition just saved, sent with ``assignment``, ``action`` (start, submit, approve, return,
# accept, transfer, not_applicable, withdraw) and ``actor``.
assignment_transitioned = Signal()
