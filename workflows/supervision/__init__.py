"""Supervision (督办) read models: plan progress and the task × unit matrix (progress.py), charts
(charts.py), the scorecard (scorecard.py) and the XLSX exports (exports.py)."""
