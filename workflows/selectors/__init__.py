"""Read models: the reads that lists, dashboards and commands share (the unit directory, 我的待办,
the audit trail's timeline); the supervision read models are in ``workflows.supervision``."""
