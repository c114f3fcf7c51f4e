from accounts.models.core import (
    Account,
    AccountDomain,
    AccountIpRange,
    Activity,
    BuyingRole,
    Contact,
    JourneyStage,
    LeadStatus,
    MatchStatus,
    Opportunity,
    Seniority,
)
from accounts.models.imports import ImportJob

__all__ = [
    "Account",
    "AccountDomain",
    "AccountIpRange",
    "Activity",
    "BuyingRole",
    "Contact",
    "ImportJob",
    "JourneyStage",
    "LeadStatus",
    "MatchStatus",
    "Opportunity",
    "Seniority",
]
