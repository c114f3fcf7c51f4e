"""The one way into domain data: every query names its workspace.

`Model.objects.for_workspace(ws)` is the entry point views, selectors, services and tasks use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from abm.models import Workspace


class WorkspaceQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace | int) -> WorkspaceQuerySet:
        workspace_id = workspace if isinstance(workspace, int) else workspace.pk
        if workspace_id is None:
            raise ValueError("for_workspace() needs a saved workspace")
        return self.filter(workspace_id=workspace_id)


WorkspaceManager = models.Manager.from_queryset(WorkspaceQuerySet)


class WorkspaceScopedModel(models.Model):
    """Abstract base: a workspace FK and the scoped manager.

    The FK carries no index of its own: every table has a composite index or unique constraint
    starting with `workspace`, which serves workspace lookups and keeps the planner from picking
    a narrow workspace-only index mid-import (see DESIGN.md's import pitfall).
    """

    workspace = models.ForeignKey("abm.Workspace", on_delete=models.CASCADE, db_index=False)

    objects = WorkspaceManager()

    class Meta:
        abstract = True
