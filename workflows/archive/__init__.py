"""The PDF archive: rendering (WeasyPrint), signing (pyHanko), write-once storage.

The job that ties them together, its audit event and the download live in
``workflows.services.archive``.
"""
