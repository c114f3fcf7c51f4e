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
from accounts.models.imports import ImportJob, ImportMapping, ImportRejectedRow, ImportRowChange

__all__ = [
    "Account",
    "AccountDomain",
    "AccountIpRange",
    "Activity",
    "BuyingRole",
    "Contact",
    "ImportJob",
    "ImportMapping",
    "ImportRejectedRow",
    "ImportRowChange",
    "JourneyStage",
    "LeadStatus",
    "MatchStatus",
    "Opportunity",
    "Seniority",
]
