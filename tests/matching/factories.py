"""Matching test data: accounts and leads shaped the way imports leave them."""

from accounts.models import AccountDomain
from matching.normalize import email_domain
from tests.factories import AccountFactory, LeadFactory


def account(workspace, name: str, domain: str = "", **kw):
    return AccountFactory(
        workspace=workspace, name=name, normalized_name="", domain=domain,
        website=f"https://www.{domain}" if domain else "", **kw,
    )  # fmt: skip


def extra_domain(account_obj, domain: str, *, former: bool = False):
    return AccountDomain.objects.create(
        workspace=account_obj.workspace, account=account_obj, domain=domain, is_former=former
    )


def lead(workspace, email: str = "", company: str = "", **kw):
    return LeadFactory(
        workspace=workspace, email=email, email_domain=email_domain(email),
        company_name=company, **kw,
    )  # fmt: skip
