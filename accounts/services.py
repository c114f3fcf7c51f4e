"""Writes on people that arrive outside imports (the API, forms)."""

from __future__ import annotations

from django.db import transaction

from abm.models import Workspace
from accounts.models import Contact
from matching.normalize import email_domain


def _match_on_commit(*, contact: Contact) -> None:
    if contact.account_id is not None:
        return
    from matching.tasks import match_contacts_to_accounts

    workspace_id, contact_id = contact.workspace_id, contact.pk
    transaction.on_commit(
        lambda: match_contacts_to_accounts.delay(
            workspace_id=workspace_id, contact_ids=[contact_id]
        )
    )


@transaction.atomic
def contact_create(*, workspace: Workspace, **fields) -> Contact:
    """A person from the API: email kept comparable, and a lead without an account is matched."""
    email = (fields.pop("email", "") or "").strip().lower()
    contact = Contact(
        workspace=workspace,
        email=email,
        email_domain=email_domain(email) if email else "",
        **fields,
    )
    if contact.account_id is None and "is_lead" not in fields:
        contact.is_lead = True
    contact.save()
    _match_on_commit(contact=contact)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, **fields) -> Contact:
    changed = set(fields)
    if "email" in fields:
        contact.email = (fields.pop("email") or "").strip().lower()
        contact.email_domain = email_domain(contact.email) if contact.email else ""
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.save()
    if {"email", "company_name", "website"} & changed or contact.match_status == "unmatched":
        _match_on_commit(contact=contact)
    return contact
