"""The review queue end to end in chromium: keyboard accept, reject, pick another account."""

import pytest

from accounts.models import Contact
from matching import services
from tests.matching.factories import account, lead

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queue(workspace):
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    account(workspace, "Zentrix Logistics", "zentrix.com", country="GB")
    account(workspace, "Initech", "initech.com", country="US")
    first = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE", first_name="Kim")
    second = lead(workspace, "z@gmail.com", "Zentrix Logistcs", country="GB", first_name="Zoe")
    services.match_contacts_to_accounts(workspace=workspace)
    return first, second


def test_an_sdr_clears_the_queue_with_the_keyboard(live_server, login, sdr_user, queue):
    page = login(sdr_user)
    page.goto(f"{live_server.url}/matching/review/")
    assert page.locator(".lead-card").count() == 2
    assert page.get_by_text("Kanor Shipping GmbH").first.is_visible()
    top_id = int(page.locator(".lead-card").first.get_attribute("data-lead"))
    first, second = sorted(queue, key=lambda c: c.pk != top_id)
    best = {queue[0].pk: "Kanor Shipping GmbH", queue[1].pk: "Zentrix Logistics"}[first.pk]

    # j focuses the first lead, a accepts its best suggestion (htmx swaps the card)
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.wait_for_selector(f"#lead-{first.pk}[data-decided]")
    assert f"Linked to {best}" in page.locator(f"#lead-{first.pk}").inner_text()

    # the second lead: pick another account through the search box
    card = page.locator(f"#lead-{second.pk}")
    card.get_by_text("Pick another account").click()
    card.locator("input[type=search]").fill("initech")
    card.get_by_role("button", name="Link").click()
    page.wait_for_selector(f"#lead-{second.pk}[data-decided]")

    assert Contact.objects.get(pk=first.pk).match_status == "accepted"
    linked = Contact.objects.get(pk=second.pk)
    assert (linked.account.name, linked.match_status) == ("Initech", "manual")
