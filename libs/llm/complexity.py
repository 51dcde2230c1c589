"""Query complexity: text in, an explainable 0–1 score (weighted features) out; picks the model tier."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+/_-]*")
_CONJUNCTION = re.compile(
    r"\b(and also|as well as|in addition|additionally|plus|also|then|after that|while|whereas|and)\b", re.I
)
_ANALYSIS = re.compile(
    r"\b(compare|comparison|versus|vs\.?|difference|differences|analy[sz]e|analysis|evaluate|explain|better|"
    r"pros and cons|trade-?offs?|recommend|optimi[sz]e|troubleshoot|diagnose|calculate|migrate|migration|"
    r"integrat(?:e|es|ing|ion)|configur(?:e|ing|ation)|implement(?:ing|ation)?)\b",
    re.I,
)
# Terms that mark technical, legal or financial depth beyond a front-line FAQ answer.
_DOMAIN = re.compile(
    r"\b(api|apis|oauth|oauth2|sso|saml|sdk|webhooks?|callbacks?|endpoint|enterprise|authentication|token|"
    r"encryption|database|server|latency|json|xml|csv|schema|kubernetes|docker|firewall|certificate|"
    r"compliance|gdpr|hipaa|regulat\w*|liabilit\w*|contract|arbitration|chargeback|escrow|amorti[sz]ation|"
    r"apr|refinanc\w*|portfolio|derivatives?|tax(?:es|ation)?|audit|invoice reconciliation)\b",
    re.I,
)
_ACRONYM = re.compile(r"\b[A-Z]{2,}[0-9.]*\b")

# (weight, saturation count): a feature contributes weight * min(count / saturation, 1).
_WEIGHTS: dict[str, tuple[float, float]] = {
    "length": (0.20, 40.0),
    "questions": (0.10, 3.0),
    "conjunctions": (0.15, 2.0),
    "domain_terms": (0.30, 3.0),
    "analysis_verbs": (0.25, 2.0),
    "acronyms": (0.10, 2.0),
}


@dataclass(frozen=True, slots=True)
class ComplexityReport:
    score: float
    features: dict[str, float]
    contributions: dict[str, float]


def complexity_features(text: str) -> dict[str, float]:
    """Raw feature counts, kept separate so a routing decision can be explained."""
    return {
        "length": float(len(_WORD.findall(text))),
        "questions": float(text.count("?")),
        "conjunctions": float(len(_CONJUNCTION.findall(text))),
        "domain_terms": float(len(_DOMAIN.findall(text))),
        "analysis_verbs": float(len(_ANALYSIS.findall(text))),
        "acronyms": float(len(_ACRONYM.findall(text))),
    }


def explain_complexity(text: str) -> ComplexityReport:
    features = complexity_features(text)
    contributions = {
        name: weight * min(features[name] / saturation, 1.0) for name, (weight, saturation) in _WEIGHTS.items()
    }
    score = round(min(sum(contributions.values()), 1.0), 4)
    return ComplexityReport(score=score, features=features, contributions=contributions)


def complexity_score(text: str) -> float:
    """0 for a one-line FAQ question, towards 1 for multi-part technical or analytical requests."""
    return explain_complexity(text).score
