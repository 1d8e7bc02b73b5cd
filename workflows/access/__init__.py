"""Who may do what: the access rules (``policies``), the unit-role groups that hold object
permissions (``groups``) and the querysets scoped to a person (``scopes``). Screens, the API and
the services all ask these same functions."""
