"""CRM import pipeline: readers, value parsers, column maps, validation, loaders, undo.

Pure modules (no database): `readers`, `values`, `columns`, `validation`.
Database modules: `loaders`, `report`, `undo`; the service entry point is
`accounts.import_services.import_run`.
"""
