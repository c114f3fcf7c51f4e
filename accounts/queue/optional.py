"""Other apps' models and services the queue uses when they have landed, and not before.

Scoring, matching and campaigns ship on their own schedule; a missing model, table or service
shows as an empty section instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.db import connection

_tables: dict[str, frozenset[str]] = {}


def _table_names() -> frozenset[str]:
    key = str(connection.settings_dict.get("NAME"))
    if key not in _tables:
        _tables[key] = frozenset(connection.introspection.table_names())
    return _tables[key]


def optional_model(app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    if model._meta.db_table not in _table_names():
        # Cached per database: look again in case a migration has run since.
        _tables.pop(str(connection.settings_dict.get("NAME")), None)
        if model._meta.db_table not in _table_names():
            return None
    return model


def optional_function(path: str) -> Callable | None:
    module_name, name = path.rsplit(".", 1)
    try:
        module = import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)
