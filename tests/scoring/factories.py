"""Factories for scoring rows (the shared ones live in tests/factories.py)."""

import factory
from django.utils import timezone

from scoring.models import IntentSignal, TriggerEvent
from tests.factories import AccountFactory, WorkspaceFactory


class IntentSignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntentSignal

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    topic = "account based marketing"
    strength = 50.0
    observed_at = factory.LazyFunction(timezone.now)
    source = "Bombora"


class TriggerEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TriggerEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "funding"
    occurred_at = factory.LazyFunction(timezone.now)
    detail = "Series B"
