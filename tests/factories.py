"""Factories shared by every app's tests; each builds a complete, workspace-consistent row."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from abm.models import Membership, Workspace
from accounts.models import Account, Activity, Contact, Opportunity
from campaigns.models import Campaign, CampaignAccount, EngagementEvent

User = get_user_model()


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"ws-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.SelfAttribute("email")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = "admin"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Acme {n} Corp")
    normalized_name = factory.LazyAttribute(lambda o: o.name.lower().replace(" corp", ""))
    domain = factory.Sequence(lambda n: f"acme{n}.com")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.domain}")
    industry = "Software"
    employees = 500
    annual_revenue = 50_000_000
    country = "US"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Lovelace{n}")
    email = factory.Sequence(lambda n: f"person{n}@acme.example")
    email_domain = factory.LazyAttribute(lambda o: o.email.split("@")[1])
    title = "Director of Marketing"
    seniority = "director"


class LeadFactory(ContactFactory):
    account = None
    is_lead = True
    company_name = "Acme"
    match_status = "unmatched"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    kind = "one_to_many"
    channels = factory.LazyFunction(lambda: ["email", "ads"])
    budget = 10_000
    starts = factory.LazyFunction(lambda: timezone.now().date() - dt.timedelta(days=30))
    status = "active"


class CampaignAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CampaignAccount

    workspace = factory.SubFactory(WorkspaceFactory)
    campaign = factory.SubFactory(CampaignFactory, workspace=factory.SelfAttribute("..workspace"))
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount = 25_000
    stage = "Prospecting"
    created_date = factory.LazyFunction(lambda: timezone.now().date() - dt.timedelta(days=60))


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "call"
    outcome = "connected"
    at = factory.LazyFunction(timezone.now)


class EngagementEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementEvent

    workspace = factory.SubFactory(WorkspaceFactory)
    account = factory.SubFactory(AccountFactory, workspace=factory.SelfAttribute("..workspace"))
    kind = "web_visit"
    channel = "web"
    weight = 1.0
    occurred_at = factory.LazyFunction(timezone.now)
    external_id = factory.Sequence(lambda n: f"evt-{n}")
