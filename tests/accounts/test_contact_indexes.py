"""The indexes of `accounts_contact`: what an imported person costs, and which queries they serve.

Each index a person enters costs the import ~1.5 s of PostgreSQL CPU per million people, which
is what kept the 1M-contact import over its 30 s bar. These tests pin both halves: a CRM
contact with a known account enters only the four indexes it needs, and each query the partial
indexes exist for can still use them (their predicates must stay implied by the queries).
"""

import pytest
from django.db import connection, transaction

from accounts.models import Contact
from accounts.queue.selectors import lead_inbox
from matching.selectors import review_queue
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, ContactFactory, LeadFactory, UserFactory

pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db]


def indexes_holding(contact_id: int) -> set[tuple[str, ...]]:
    """The column lists of the indexes that hold this person's row (partial ones by predicate)."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT c.relname, pg_get_expr(i.indpred, i.indrelid),
                      array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, pos)
                            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                            ORDER BY k.pos)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'accounts_contact'::regclass"""
        )
        held = set()
        for _name, predicate, columns in cur.fetchall():
            if predicate:
                cur.execute(
                    f"SELECT EXISTS (SELECT 1 FROM accounts_contact WHERE id = %s AND ({predicate}))",  # noqa: S608
                    [contact_id],
                )
                if not cur.fetchone()[0]:
                    continue
            held.add(tuple(columns))
    return held


def test_a_crm_contact_with_its_account_enters_four_indexes_only():
    contact = ContactFactory(crm_source="salesforce", crm_id="003A", owner=None)
    assert contact.match_status == "unmatched"
    Contact.objects.filter(pk=contact.pk).update(match_status="accepted")  # as the import links it
    assert indexes_holding(contact.pk) == {
        ("id",),
        ("workspace_id", "crm_source", "crm_id"),
        ("workspace_id", "email"),
        ("account_id",),
    }, "a new index on accounts_contact costs every imported person; make it partial if it can be"


def test_an_unlinked_lead_with_an_owner_enters_the_partial_indexes_that_find_it():
    lead = LeadFactory(owner=UserFactory(), lead_status="mql")
    assert indexes_holding(lead.pk) == {
        ("id",),
        ("workspace_id", "email"),
        ("account_id",),
        ("workspace_id", "email_domain"),
        ("workspace_id", "match_status"),
        ("workspace_id", "lead_status"),
        ("owner_id",),
    }


def uses(queryset, *indexes: str) -> bool:
    """Whether the plan, with sequential scans priced out, reads people through one of these
    indexes (the planner may pick either of two that serve; both are fine)."""
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    return "Seq Scan on accounts_contact" not in plan and any(
        f"using {name} on accounts_contact" in plan for name in indexes
    )


def test_the_queries_the_partial_indexes_exist_for_can_use_them():
    account = AccountFactory()
    workspace = account.workspace
    people = Contact.objects.for_workspace(workspace)
    for status in ("review", "auto", "none"):
        assert uses(people.filter(match_status=status), "contact_ws_match_open")
    assert uses(review_queue(workspace=workspace), "contact_ws_match_open")
    assert uses(
        people.filter(match_status="unmatched", account__isnull=True),
        "contact_ws_match_open",
        "contact_ws_domain_unlinked",
    )
    assert uses(
        people.filter(email_domain="acme.example", account__isnull=True),
        "contact_ws_domain_unlinked",
    )
    assert uses(lead_inbox(workspace=workspace, owner_id=None), "contact_ws_leadstatus")
    assert uses(people.filter(lead_status__in=("mql", "sal", "sql")), "contact_ws_leadstatus")
    assert uses(Contact.objects.filter(owner_id=1), "contact_owner")
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "accounts_contact")
    account_index = next(
        name for name, c in constraints.items() if c["index"] and c["columns"] == ["account_id"]
    )
    assert uses(people.filter(account=account), account_index)
