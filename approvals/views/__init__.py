"""The screens: one module per feature; each view looks its object up through a scoped selector,
calls one service and maps its errors to a clear message and status."""
