"""Privacy service: PII detection, reversible anonymization (encrypted vault) and fairness analysis."""
