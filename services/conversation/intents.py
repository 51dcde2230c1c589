"""What a customer's text is about, by keyword rules: its categories, the agent for it, a request for a person, an
upset tone, the actions to suggest. Pure functions; they work even when no model service answers."""

from __future__ import annotations

import re

# Ordered keyword rules: first match wins. Each gives (seed 002 issue category, seed 000 category, crm category).
_CATEGORY_RULES: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern, re.I), issue, insight, crm)
    for pattern, issue, insight, crm in (
        (r"\b(refund\w*|money back|reimburs\w*|charge ?back)\b", "REFUND", "refund_request", "support"),
        (r"\b(cancel\w*|terminate|close my account)\b", "CANCELLATION", "account_closure", "support"),
        (r"\b(subscription|plan|membership|renew\w*)\b", "SUBSCRIPTION", "subscription", "sales"),
        (r"\b(ship\w*|deliver\w*|track\w*|package|parcel|order)\b", "SHIPPING", "order_status", "support"),
        (r"\b(loan|mortgage|credit score|borrow\w*|apr)\b", "BILLING", "loan_inquiry", "sales"),
        (r"\b(invest\w*|stocks?|portfolio|retirement|fund)\b", "GENERAL_INQUIRY", "investment_advice", "sales"),
        (r"\b(fraud\w*|stolen|unauthori[sz]ed|scam)\b", "ACCOUNT", "fraud_report", "support"),
        (r"\b(bill\w*|invoice|charged?|payment|fee)\b", "BILLING", "billing", "support"),
        (r"\b(password|log ?in|sign ?in|account|locked|access)\b", "ACCOUNT", "account_access", "support"),
        (r"\b(error|bug|crash\w*|not working|broken|api|integrat\w*|install\w*)\b", "TECHNICAL", "technical_support",
         "support"),
        (r"\b(defect\w*|damaged|quality|faulty)\b", "PRODUCT_QUALITY", "product_quality", "support"),
        (r"\b(complain\w*|terrible|unacceptable|worst|awful)\b", "COMPLAINT", "complaint", "support"),
        (r"\b(price|pricing|cost|quote|buy|purchase|demo|features?|trial|discount|upgrade)\b", "GENERAL_INQUIRY",
         "product_inquiry", "sales"),
    )
)  # fmt: skip
_SALES = re.compile(
    r"\b(price|pricing|cost|quote|buy|purchase|demo|features?|trial|discount|upgrade|plans?|sales|offer|"
    r"enterprise|licen[cs]e|subscribe)\b",
    re.I,
)
_SUPPORT = re.compile(
    r"\b(help|problem|issue|error|bug|broken|not working|can'?t|cannot|unable|reset|refund|fix|fail\w*|"
    r"wrong|locked|access|support|complain\w*|frustrat\w*)\b",
    re.I,
)
_HUMAN_REQUEST = re.compile(
    r"\b(human|real person|live agent|representative|speak to (?:an? )?(?:agent|person|someone)|"
    r"talk to (?:an? )?(?:agent|person|someone))\b",
    re.I,
)
# Words that mark an unhappy customer even when the sentiment service is down (seed 002 irate keywords and kin).
_UPSET = re.compile(
    r"\b(angry|furious|unacceptable|outraged|ridiculous|disgusting|livid|terrible|awful|worst|frustrat\w*|"
    r"useless|fed up|sick of)\b",
    re.I,
)
_SUGGESTIONS = (
    (re.compile(r"\b(order|ship\w*|deliver\w*|track\w*|package)\b", re.I), "track_package"),
    (re.compile(r"\b(refund\w*|money back)\b", re.I), "request_refund"),
    (re.compile(r"\b(password|log ?in|sign ?in|locked)\b", re.I), "reset_password"),
    (re.compile(r"\b(bill\w*|invoice|charge\w*|payment)\b", re.I), "review_billing"),
    (re.compile(r"\b(cancel\w*|subscription|plan)\b", re.I), "manage_subscription"),
)


def categorize(text: str) -> tuple[str, str, str] | None:
    """(seed 002 issue category, seed 000 category, crm category) of the first matching rule, else None."""
    for pattern, issue, insight, crm in _CATEGORY_RULES:
        if pattern.search(text):
            return issue, insight, crm
    return None


def agent_for(text: str) -> str:
    """Seed 004 agent by intent: buying questions to sales, problems to support, the rest to general."""
    sales, support = len(_SALES.findall(text)), len(_SUPPORT.findall(text))
    if sales > support:
        return "sales_agent"
    if support:
        return "support_agent"
    return "general_agent"


def asks_for_human(text: str) -> bool:
    """Local fallback used only when the escalation service is down: an explicit request for a person."""
    return bool(_HUMAN_REQUEST.search(text))


def sounds_upset(text: str) -> bool:
    return bool(_UPSET.search(text))


def suggested_actions(text: str, *, escalated: bool, irate: bool) -> list[str]:
    found = [action for pattern, action in _SUGGESTIONS if pattern.search(text)]
    if irate and not escalated:
        found.append("offer_escalation")
    return found[:4]
