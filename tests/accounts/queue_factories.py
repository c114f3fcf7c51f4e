"""Helpers for the SDR queue tests: more members than the one-per-role conftest fixtures."""

import itertools

from tests.factories import MembershipFactory, UserFactory

_seq = itertools.count(1)


def member(workspace, role: str = "sdr", first_name: str = ""):
    """A new user with `role` in `workspace` (unique email each call)."""
    n = next(_seq)
    user = UserFactory(
        email=f"{role}{n}.{workspace.slug}@team.example",
        first_name=first_name or f"{role.upper()}{n}",
    )
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user
