"""Every write a user can cause: plan imports and the unit directory (plans), dispatch and
rounds (dispatch), the assignment transitions (assignments) and evidence files (evidence)."""
from .layouts import layout_profile_delete, layout_profile_save, plan_layout, profile_mapping  # noqa: F401
from .plan_entry import ItemEntry, plan_add_item, plan_create  # noqa: F401
from .plans import (  # noqa: F401
    PlanImportError,
    PlanPreview,
    UnitMapping,
    UnitsImportResult,
    UnresolvedUnits,
    plan_import,
    plan_preview,
    units_import,
)
