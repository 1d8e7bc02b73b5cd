"""Plans, their sections and tasks, the unit directory and who acts for each unit, and the assignments
made from them."""
from .archives import Archive, ArchiveOverwriteError, ArchiveStatus  # noqa: F401,E402
from .assignments import (  # noqa: F401
    CLOSED_STATES,
    FAR_FUTURE,
    OPEN_STATES,
    SUPERSEDED_STATES,
    WAITING_STATES,
    Assignment,
    AssignmentGroupObjectPermission,
    AssignmentState,
    AssignmentUserObjectPermission,
    Evidence,
    InboxItem,
    ReportDraft,
    ReportingRound,
    Submission,
    evidence_path,
)
from .bulletins import BulletinOverwriteError, PeriodBulletin  # noqa: F401
from .changes import (  # noqa: F401
    Delegation,
    PlanRevision,
    TaskChange,
    TransferKind,
    TransferRequest,
    TransferStatus,
)
from .memberships import ROLE_LABELS, Membership, Role, UnitRoleGroup  # noqa: F401
from .periods import (  # noqa: F401
    ExtensionRequest,
    ExtensionStatus,
    Milestone,
    PeriodReport,
    PeriodStatus,
)
from .plans import (  # noqa: F401
    LayoutProfile,
    PartyRole,
    Plan,
    PlanOrigin,
    ReportCadence,
    Section,
    Task,
    TaskDeadline,
    TaskParty,
    TaskTarget,
    plan_source_path,
)
from .supervision import (  # noqa: F401,E402
    CalendarDay,
    DigestSent,
    EscalationLevel,
    EscalationNotice,
    GeneratedReport,
    GeneratedReportStatus,
    Reminder,
)
from .units import GroupTerm, TermScope, Unit, UnitAlias, UnitKind  # noqa: F401
