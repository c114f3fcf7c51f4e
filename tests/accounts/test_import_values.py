"""Values as CRMs write them: amounts, head-count bands, booleans, dates, countries, formulas."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.importing import values as v
from accounts.importing.columns import auto_mapping, detect_source, missing_required
from accounts.importing.readers import Row
from accounts.importing.validation import Rejected, Validator


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("$1,200,000.00", Decimal("1200000.00")),
        ("1.200.000,00 €", Decimal("1200000.00")),
        ("€ 1.200", Decimal("1200")),
        ("1 200 000,50", Decimal("1200000.50")),
        ("USD 250k", Decimal("250000")),
        ("1.5M", Decimal("1500000")),
        ("(1,234.56)", Decimal("-1234.56")),
        ("-42", Decimal("-42")),
        ("1,5", Decimal("1.5")),
        ("1,200", Decimal("1200")),
        ("£999.99", Decimal("999.99")),
        ("", None),
    ],
)
def test_amounts_in_every_convention(cell, expected):
    assert v.parse_amount(cell) == expected


def test_a_word_is_not_an_amount():
    with pytest.raises(ValueError, match="not an amount"):
        v.parse_amount("about a million")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("250", 250),
        ("1,000", 1000),
        ("51-200", 125),
        ("51 - 200", 125),
        ("10,001+", 10001),
        ("1001–5000", 3000),
        ("<10", 9),
        ("11 to 50", 30),
        ("", None),
    ],
)
def test_employee_counts_and_bands(cell, expected):
    assert v.parse_employees(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("1", True),
        ("x", True),
        ("false", False),
        ("No", False),
        ("0", False),
        ("", None),
    ],
)
def test_crm_booleans(cell, expected):
    assert v.parse_bool(cell) is expected


def test_an_unknown_boolean_is_explained():
    with pytest.raises(ValueError, match="not yes/no"):
        v.parse_bool("maybe")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("2024-03-05T14:22:10.000+0000", dt.datetime(2024, 3, 5, 14, 22, 10, tzinfo=dt.UTC)),
        ("2024-03-05T14:22:10Z", dt.datetime(2024, 3, 5, 14, 22, 10, tzinfo=dt.UTC)),
        ("2024-03-05 14:22", dt.datetime(2024, 3, 5, 14, 22, tzinfo=dt.UTC)),
        ("03/05/2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("3/5/2024 2:22 PM", dt.datetime(2024, 3, 5, 14, 22, tzinfo=dt.UTC)),
        ("25/03/2024", dt.datetime(2024, 3, 25, tzinfo=dt.UTC)),
        ("05.03.2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("5-Mar-2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
        ("Mar 5, 2024", dt.datetime(2024, 3, 5, tzinfo=dt.UTC)),
    ],
)
def test_dates_in_iso_us_eu_and_salesforce_formats(cell, expected):
    assert v.parse_datetime(cell) == expected


def test_a_salesforce_timestamp_with_an_offset_keeps_the_instant():
    moment = v.parse_datetime("2024-03-05T14:22:10.000-0500")
    assert moment == dt.datetime(2024, 3, 5, 19, 22, 10, tzinfo=dt.UTC)
    assert v.parse_date("2024-03-05T14:22:10.000+0000") == dt.date(2024, 3, 5)


def test_an_impossible_date_is_rejected_with_the_formats_we_read():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        v.parse_datetime("31/02/2024")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("Deutschland", "DE"),
        ("de", "DE"),
        ("U.S.A.", "US"),
        ("USA", "US"),
        ("United States", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("The Netherlands", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("South Korea", "KR"),
        ("Russia", "RU"),
        ("Türkiye", "TR"),
        ("", None),
    ],
)
def test_countries_normalise_to_iso_alpha_2(cell, expected):
    assert v.parse_country(cell) == expected


def test_an_unknown_country_is_explained():
    with pytest.raises(ValueError, match="not a country"):
        v.parse_country("Atlantis")


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "\x00x"]
)
def test_formula_looking_cells_are_neutralised_for_export(cell):
    assert v.neutralise(cell) == "'" + cell


def test_plain_cells_are_exported_as_they_are():
    assert v.neutralise("Acme") == "Acme"
    assert v.neutralise(12) == 12


def test_account_domain_is_the_registrable_domain_of_the_website():
    pytest.importorskip("matching.normalize")
    assert v.account_domain("https://www.stock.walmart.com/investors") == "walmart.com"
    assert v.account_domain("bbc.co.uk") == "bbc.co.uk"


def test_job_titles_give_buying_committee_levels():
    assert v.title_seniority("VP Marketing") == "c_level_vp"
    assert v.title_seniority("Chief Revenue Officer") == "c_level_vp"
    assert v.title_seniority("Director, Demand Gen") == "director"
    assert v.title_seniority("Marketing Ops Specialist") == "practitioner"
    assert v.title_seniority("") == "unknown"


DEMO_HEADERS = {
    "accounts": "Id,Name,Website,Industry,NumberOfEmployees,AnnualRevenue,BillingCity,BillingCountry,Phone,ParentId,Type,Technologies__c,Tier__c",
    "contacts": "Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,LeadSource",
    "leads": "Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,Country/Region,Phone Number,Lifecycle Stage,Lead Status,Create Date",
    "opportunities": "Id,AccountId,Name,StageName,Amount,CurrencyIsoCode,IsClosed,IsWon,CreatedDate,CloseDate,CampaignName",
    "events": "external_id,occurred_at,kind,channel,email,account_domain,campaign,url",
    "intent": "domain,topic,strength,observed_at,source",
}


@pytest.mark.parametrize(
    ("obj", "source"),
    [
        ("accounts", "salesforce"),
        ("contacts", "salesforce"),
        ("leads", "hubspot"),
        ("opportunities", "salesforce"),
        ("events", "generic"),
        ("intent", "generic"),
    ],
)
def test_demo_export_headers_map_themselves(obj, source):
    headers = DEMO_HEADERS[obj].split(",")
    mapping = auto_mapping(headers, obj)
    assert detect_source(headers) == source
    assert missing_required(mapping, obj) == []
    assert set(headers) - set(mapping) <= {"Create Date"}


def test_salesforce_report_and_hubspot_company_labels_are_recognised():
    report = [
        "Account Name",
        "Account ID",
        "Billing Country",
        "Annual Revenue",
        "Employees",
        "Website",
    ]
    hubspot = [
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Number of Employees",
        "Country/Region",
    ]
    assert detect_source(report) == "salesforce"
    assert detect_source(hubspot) == "hubspot"
    assert auto_mapping(report, "accounts") == {
        "Account Name": "name",
        "Account ID": "crm_id",
        "Billing Country": "country",
        "Annual Revenue": "annual_revenue",
        "Employees": "employees",
        "Website": "website",
    }
    assert auto_mapping(hubspot, "accounts")["Company Domain Name"] == "domain"
    assert detect_source(["email", "company", "notes"]) == "generic"


def test_a_row_collects_every_problem_in_one_reason():
    headers = ["Id", "Email", "MailingCountry", "LeadSource"]
    validator = Validator.build(
        obj="contacts", headers=headers, mapping=auto_mapping(headers, "contacts")
    )
    with pytest.raises(Rejected, match=r"Email: .*not an email.*; Country: .*Atlantis"):
        validator.clean(Row(2, ["003A", "not-an-email", "Atlantis", "Web"]))


def test_a_clean_row_keeps_only_cells_that_had_a_value():
    headers = ["Id", "Email", "FirstName", "Title", "MailingCountry"]
    validator = Validator.build(
        obj="contacts", headers=headers, mapping=auto_mapping(headers, "contacts")
    )
    record = validator.clean(Row(2, ["003A", " Ada@Acme.COM ", "", "VP Sales", "Deutschland"]))
    assert record == {
        "crm_id": "003A",
        "email": "ada@acme.com",
        "email_domain": "acme.com",
        "title": "VP Sales",
        "seniority": "c_level_vp",
        "country": "DE",
    }


def test_a_row_with_more_values_than_headers_is_rejected_not_shifted():
    validator = Validator.build(obj="contacts", headers=["Email"], mapping={"Email": "email"})
    with pytest.raises(Rejected, match="2 values but the header has 1"):
        validator.clean(Row(5, ["a@b.com"], ["surprise"]))
