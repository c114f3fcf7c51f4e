"""Which columns an object takes, what CRMs call them, and where a file came from.

`detect_source(headers)` names the layout (Salesforce Data Export API names, Salesforce report
labels, HubSpot export labels, or generic); `auto_mapping(headers, obj)` maps every column it
recognises so the demo files and real exports need no manual mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OBJECTS = ("accounts", "contacts", "leads", "opportunities", "events", "intent")
SOURCES = ("salesforce", "hubspot", "generic")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text|email|amount|int|employees|bool|date|datetime|country|domain|...
    required: bool = False
    help: str = ""


_CONTACT_FIELDS = (
    Field("crm_id", "CRM id", help="Record id in the CRM; the first key for re-imports"),
    Field("crm_account_id", "CRM account id", help="Links the person to an imported account"),
    Field("first_name", "First name"),
    Field("last_name", "Last name"),
    Field("full_name", "Full name", help="Split into first and last name when those are missing"),
    Field("email", "Email", "email", help="The second key for re-imports"),
    Field("title", "Job title"),
    Field("department", "Department"),
    Field("phone", "Phone"),
    Field("country", "Country", "country"),
    Field("city", "City"),
    Field("lead_source", "Lead source"),
    Field("lead_status", "Lead status", "lead_status"),
    Field("lifecycle_stage", "Lifecycle stage", "lead_status"),
    Field("company_name", "Company name"),
    Field("website", "Company website"),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "accounts": (
        Field("crm_id", "CRM id", help="Record id in the CRM; the first key for re-imports"),
        Field("name", "Account name", required=True),
        Field("domain", "Domain", "domain", help="The second key for re-imports"),
        Field("website", "Website"),
        Field("industry", "Industry"),
        Field("employees", "Employees", "employees"),
        Field("annual_revenue", "Annual revenue", "amount"),
        Field("country", "Country", "country"),
        Field("region", "State / region"),
        Field("city", "City"),
        Field("phone", "Phone"),
        Field("account_type", "Type"),
        Field("crm_parent_id", "Parent CRM id"),
        Field("technologies", "Technologies", "technologies"),
        Field("tier", "Tier", "tier"),
    ),
    "contacts": _CONTACT_FIELDS,
    "leads": _CONTACT_FIELDS,
    "opportunities": (
        Field("crm_id", "CRM id"),
        Field("crm_account_id", "CRM account id"),
        Field("account_domain", "Account domain", "domain"),
        Field("account_name", "Account name"),
        Field("name", "Opportunity name", required=True),
        Field("stage", "Stage"),
        Field("amount", "Amount", "amount"),
        Field("currency", "Currency"),
        Field("is_closed", "Closed", "bool"),
        Field("is_won", "Won", "bool"),
        Field("created_date", "Created date", "date"),
        Field("close_date", "Close date", "date"),
        Field("campaign", "Campaign name"),
    ),
    "events": (
        Field(
            "external_id",
            "Event id",
            required=True,
            help="Unique per event; a re-sent event is skipped",
        ),
        Field("occurred_at", "Occurred at", "datetime", required=True),
        Field("kind", "Kind", required=True),
        Field("channel", "Channel", "channel"),
        Field("email", "Email", "email"),
        Field("account_domain", "Account domain", "domain"),
        Field("campaign", "Campaign name"),
        Field("url", "URL"),
        Field("weight", "Weight", "amount"),
    ),
    "intent": (
        Field("domain", "Account domain", "domain", required=True),
        Field("topic", "Topic", required=True),
        Field("strength", "Strength", "amount"),
        Field("observed_at", "Observed at", "datetime"),
        Field("source", "Provider"),
    ),
}


def header_key(header: str) -> str:
    """`Billing Country`, `billing_country`, `BillingCountry` → `billingcountry`."""
    return re.sub(r"[^a-z0-9]", "", header.casefold())


# Aliases per object: normalised header → field. Salesforce API names, Salesforce report labels,
# HubSpot export labels and plain generic names all live here; `header_key` folds case/spaces.
_COMMON_ACCOUNT = {
    "id": "crm_id",
    "accountid": "crm_id",
    "recordid": "crm_id",
    "companyid": "crm_id",
    "crmid": "crm_id",
    "name": "name",
    "accountname": "name",
    "companyname": "name",
    "company": "name",
    "organization": "name",
    "domain": "domain",
    "companydomainname": "domain",
    "domainname": "domain",
    "emaildomain": "domain",
    "website": "website",
    "websiteurl": "website",
    "url": "website",
    "web": "website",
    "homepage": "website",
    "industry": "industry",
    "sector": "industry",
    "numberofemployees": "employees",
    "employees": "employees",
    "employeecount": "employees",
    "companysize": "employees",
    "headcount": "employees",
    "size": "employees",
    "annualrevenue": "annual_revenue",
    "revenue": "annual_revenue",
    "billingcountry": "country",
    "country": "country",
    "countryregion": "country",
    "hqcountry": "country",
    "billingstate": "region",
    "billingstateprovince": "region",
    "stateregion": "region",
    "state": "region",
    "region": "region",
    "billingcity": "city",
    "city": "city",
    "phone": "phone",
    "phonenumber": "phone",
    "type": "account_type",
    "accounttype": "account_type",
    "parentid": "crm_parent_id",
    "parentaccountid": "crm_parent_id",
    "parentcompanyid": "crm_parent_id",
    "technologiesc": "technologies",
    "technologies": "technologies",
    "techstack": "technologies",
    "tierc": "tier",
    "tier": "tier",
    "accounttier": "tier",
    "abmtier": "tier",
}
_COMMON_CONTACT = {
    "id": "crm_id",
    "contactid": "crm_id",
    "leadid": "crm_id",
    "recordid": "crm_id",
    "crmid": "crm_id",
    "accountid": "crm_account_id",
    "associatedcompanyid": "crm_account_id",
    "companyid": "crm_account_id",
    "associatedcompanyidprimary": "crm_account_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "name": "full_name",
    "fullname": "full_name",
    "contactname": "full_name",
    "leadname": "full_name",
    "email": "email",
    "emailaddress": "email",
    "workemail": "email",
    "title": "title",
    "jobtitle": "title",
    "department": "department",
    "phone": "phone",
    "phonenumber": "phone",
    "mobilephone": "phone",
    "mobile": "phone",
    "mailingcountry": "country",
    "country": "country",
    "countryregion": "country",
    "billingcountry": "country",
    "mailingcity": "city",
    "city": "city",
    "leadsource": "lead_source",
    "originalsource": "lead_source",
    "source": "lead_source",
    "lifecyclestage": "lifecycle_stage",
    "leadstatus": "lead_status",
    "status": "lead_status",
    "company": "company_name",
    "companyname": "company_name",
    "accountname": "company_name",
    "associatedcompany": "company_name",
    "website": "website",
    "websiteurl": "website",
    "companywebsite": "website",
    "url": "website",
}
_ALIASES: dict[str, dict[str, str]] = {
    "accounts": _COMMON_ACCOUNT,
    "contacts": _COMMON_CONTACT,
    "leads": _COMMON_CONTACT,
    "opportunities": {
        "id": "crm_id",
        "opportunityid": "crm_id",
        "recordid": "crm_id",
        "dealid": "crm_id",
        "crmid": "crm_id",
        "accountid": "crm_account_id",
        "associatedcompanyid": "crm_account_id",
        "companyid": "crm_account_id",
        "accountdomain": "account_domain",
        "companydomainname": "account_domain",
        "domain": "account_domain",
        "accountname": "account_name",
        "associatedcompany": "account_name",
        "companyname": "account_name",
        "company": "account_name",
        "name": "name",
        "opportunityname": "name",
        "dealname": "name",
        "stagename": "stage",
        "stage": "stage",
        "dealstage": "stage",
        "amount": "amount",
        "dealamount": "amount",
        "value": "amount",
        "currencyisocode": "currency",
        "currency": "currency",
        "opportunitycurrency": "currency",
        "dealcurrencycode": "currency",
        "isclosed": "is_closed",
        "closed": "is_closed",
        "isclosedwon": "is_won",
        "iswon": "is_won",
        "won": "is_won",
        "closedwon": "is_won",
        "createddate": "created_date",
        "createdate": "created_date",
        "closedate": "close_date",
        "expectedclosedate": "close_date",
        "campaignname": "campaign",
        "primarycampaignsource": "campaign",
        "campaign": "campaign",
        "originalsourcedrilldown2": "campaign",
    },
    "events": {
        "externalid": "external_id",
        "eventid": "external_id",
        "id": "external_id",
        "occurredat": "occurred_at",
        "timestamp": "occurred_at",
        "date": "occurred_at",
        "activitydate": "occurred_at",
        "kind": "kind",
        "type": "kind",
        "eventtype": "kind",
        "activitytype": "kind",
        "channel": "channel",
        "email": "email",
        "contactemail": "email",
        "accountdomain": "account_domain",
        "domain": "account_domain",
        "companydomain": "account_domain",
        "campaign": "campaign",
        "campaignname": "campaign",
        "url": "url",
        "pageurl": "url",
        "weight": "weight",
    },
    "intent": {
        "domain": "domain",
        "accountdomain": "domain",
        "companydomain": "domain",
        "website": "domain",
        "topic": "topic",
        "intenttopic": "topic",
        "strength": "strength",
        "score": "strength",
        "intentscore": "strength",
        "observedat": "observed_at",
        "date": "observed_at",
        "week": "observed_at",
        "source": "source",
        "provider": "source",
    },
}

# Headers that only one layout writes: enough of them decides the source.
_SALESFORCE_API = {
    "id",
    "accountid",
    "ownerid",
    "numberofemployees",
    "annualrevenue",
    "billingcountry",
    "billingcity",
    "billingstate",
    "mailingcountry",
    "mailingcity",
    "stagename",
    "iswon",
    "isclosed",
    "closedate",
    "createddate",
    "currencyisocode",
    "parentid",
    "leadsource",
    "firstname",
    "lastname",
    "campaignname",
    "isdeleted",
    "recordtypeid",
    "lastmodifieddate",
    "systemmodstamp",
}
_SALESFORCE_REPORT = {
    "accountname",
    "accountid",
    "accountowner",
    "billingcountry",
    "billingcity",
    "billingstateprovince",
    "opportunityname",
    "opportunityid",
    "contactid",
    "leadid",
    "stage",
    "closedate",
    "mailingcountry",
    "leadstatus",
    "leadsource",
    "createddate",
    "annualrevenue",
    "employees",
    "accounttype",
    "primarycampaignsource",
    "opportunityowner",
    "fiscalperiod",
    "won",
    "closed",
}
_HUBSPOT = {
    "recordid",
    "companyname",
    "companydomainname",
    "numberofemployees",
    "countryregion",
    "associatedcompany",
    "dealstage",
    "dealname",
    "lifecyclestage",
    "leadstatus",
    "createdate",
    "websiteurl",
    "phonenumber",
    "jobtitle",
    "contactowner",
    "companyowner",
    "dealowner",
    "associatedcompanyid",
    "associatedcompanyidsprimary",
    "pipeline",
    "originalsource",
    "stateregion",
}


def detect_source(headers: list[str]) -> str:
    """salesforce | hubspot | generic, from which CRM's column names the header uses.

    Salesforce Data Export files use API names (`NumberOfEmployees`, `__c` custom fields) and
    report exports use labels (`Account Name`); both are the source "salesforce". HubSpot labels
    (`Record ID`, `Country/Region`) are "hubspot". Anything else is "generic".
    """
    raw = [h.strip() for h in headers]
    keys = {header_key(h) for h in raw}
    camel_api = sum(
        1 for h in raw if re.fullmatch(r"(?:[A-Z][a-z0-9]+){2,}|Id|Name", h) or h.endswith("__c")
    )
    hubspot = len(keys & _HUBSPOT)
    sf_api = len(keys & _SALESFORCE_API) + (2 if any(h.endswith("__c") for h in raw) else 0)
    sf_report = len(keys & _SALESFORCE_REPORT)
    if "recordid" in keys or hubspot >= 3 and hubspot > max(sf_api, sf_report):
        return "hubspot"
    if ("Id" in raw and camel_api >= 2) or sf_api >= 3:
        return "salesforce"
    if sf_report >= 2 and any(" " in h for h in raw):
        return "salesforce"
    return "generic"


def field_names(obj: str) -> list[str]:
    return [f.name for f in FIELDS[obj]]


def auto_mapping(headers: list[str], obj: str) -> dict[str, str]:
    """header → field for every header we recognise; each field taken by its first header."""
    aliases = _ALIASES[obj]
    names = set(field_names(obj))
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = header_key(header)
        target = aliases.get(key) or (key if key in names else None)
        if target is None:
            snake = re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")
            target = snake if snake in names else None
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
    return mapping


def missing_required(mapping: dict[str, str], obj: str) -> list[Field]:
    mapped = set(mapping.values())
    missing = [f for f in FIELDS[obj] if f.required and f.name not in mapped]
    if obj in ("contacts", "leads") and not mapped & {"email", "crm_id"}:
        missing.append(Field("email", "Email or CRM id"))
    if obj == "accounts" and mapped & {"domain", "website"}:
        missing = [f for f in missing if f.name != "name"]  # the name falls back to the domain
    if obj == "opportunities" and not mapped & {"crm_account_id", "account_domain", "account_name"}:
        missing.append(Field("crm_account_id", "Account (CRM account id, domain or name)"))
    return missing


def clean_mapping(mapping: dict[str, str], headers: list[str], obj: str) -> dict[str, str]:
    """Keep only known headers mapped to known fields, one header per field."""
    names = set(field_names(obj))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = mapping.get(header, "")
        if target in names and target not in taken:
            out[header] = target
            taken.add(target)
    return out
