"""Models of the privacy messages, generated from contracts/privacy/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType


Role = Annotated[str, Field(max_length=64, min_length=1)]


class Actor(BaseModel):
    """
    Who asks: a gateway principal (user or API key) or a service acting on its own behalf.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=200, min_length=1)]
    kind: Literal['user', 'api_key', 'service']
    roles: Annotated[list[Role], Field(max_length=20)]


Attribute = Annotated[str, Field(max_length=200)]


OutcomeColumn = Annotated[str, Field(max_length=200)]


class AnalyzeFairnessV1(BaseModel):
    """
    Command: compare outcomes across groups of each attribute (seed 000 fairness/analyze); answered with FairnessReport.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    data: Annotated[list[dict[str, str | int | float | bool | None]], Field(max_length=100000)]
    """
    Records (column -> value), e.g. seed 000's {age_group, gender, satisfaction_score, resolved}.
    """
    attributes: Annotated[list[Attribute], Field(max_length=50)]
    outcome_columns: Annotated[list[OutcomeColumn], Field(max_length=50)]
    min_sample_size: Annotated[int | None, Field(ge=1, le=1000000)] = 30


class AnonymizeV1(BaseModel):
    """
    Command: detect PII in a text and replace each value with a numbered placeholder; answered with AnonymizeResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    text: Annotated[str, Field(max_length=1048576, min_length=1)]
    """
    Text to anonymize (at most 1 MiB of UTF-8).
    """
    keep_mapping: bool | None = False
    """
    Return placeholder -> masked original (seed 000 `mapping`).
    """
    store_originals: bool | None = False
    """
    Seal the clear originals in the vault and return their token (for Deanonymize.v1).
    """


class DeanonymizeResultV1(BaseModel):
    """
    Reply to Deanonymize.v1: the text with its placeholders restored and the clear originals (PII: never log it).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    token: Annotated[str, Field(pattern='^pii_[0-9a-f]{32}$')]
    text: Annotated[str, Field(max_length=2097152)]
    originals: dict[str, str]
    """
    Placeholder -> clear original value.
    """


class DeanonymizeV1(BaseModel):
    """
    Command: open the vault entry of `token` for `actor` (audited); answered with DeanonymizeResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    token: Annotated[str, Field(pattern='^pii_[0-9a-f]{32}$')]
    text: Annotated[str | None, Field(max_length=1048576, min_length=1)] = None
    """
    Text holding the token's placeholders to restore (e.g. an LLM reply); absent restores the anonymized text itself.
    """
    actor: Actor


Recommendation = Annotated[str, Field(max_length=2000)]


class GroupOutcome(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    average: float | None = None
    """
    Mean of a numeric outcome.
    """
    rate: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    """
    Share of true for a boolean outcome.
    """
    sample_size: Annotated[int, Field(ge=0)]
    insufficient_sample: bool | None = None
    """
    Present (true) when the group is under min_sample_size.
    """


CountsAdditionalProperty = TypeAliasType("CountsAdditionalProperty", Annotated[int, Field(ge=1)])


class PiiDetectedV1(BaseModel):
    """
    Event: one text was anonymized; PII counts per type for analytics, never the values.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    counts: dict[str, CountsAdditionalProperty]
    """
    PII type -> spans found.
    """
    total: Annotated[int, Field(ge=0)]
    stored: bool
    """
    Whether the originals were sealed in the vault.
    """
    source_request_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Event id of the Anonymize command.
    """


class PiiEntity(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    type: Literal['name', 'account_number', 'phone_number', 'credit_card', 'iban', 'ssn', 'email', 'street_address', 'date_of_birth', 'ip_address', 'location', 'zip_code', 'driver_license', 'passport']
    placeholder: Annotated[str, Field(pattern='^\\[[A-Z_]+_[0-9]+\\]$')]
    start: Annotated[int, Field(ge=0)]
    """
    Character offset in the original text.
    """
    end: Annotated[int, Field(ge=0)]
    score: Annotated[float, Field(ge=0.0, le=1.0)]


ActorRole = Annotated[str, Field(max_length=64)]


class VaultAccessedV1(BaseModel):
    """
    Audit event: someone asked to open a vault entry (every Deanonymize.v1, granted or not); never carries the values.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    token: Annotated[str, Field(pattern='^pii_[0-9a-f]{32}$')]
    tenant_id: Annotated[str, Field(max_length=128, min_length=1)]
    actor_id: Annotated[str, Field(max_length=200, min_length=1)]
    actor_kind: Literal['user', 'api_key', 'service']
    actor_roles: Annotated[list[ActorRole], Field(max_length=20)]
    outcome: Literal['granted', 'denied', 'not_found', 'failed']
    placeholders: Annotated[int | None, Field(ge=0)] = None
    """
    How many originals were disclosed (granted only).
    """
    accessed_at: AwareDatetime
    source_request_id: Annotated[str, Field(max_length=200, min_length=1)]
    """
    Event id of the Deanonymize command.
    """


class AnonymizeResultV1(BaseModel):
    """
    Reply to Anonymize.v1: the placeholder text, masked mapping (on request), PII types found, entity spans, vault token.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    anonymized_text: Annotated[str, Field(max_length=2097152)]
    mapping: dict[str, str] | None = None
    """
    Placeholder -> masked original; absent (null) unless keep_mapping was set.
    """
    pii_detected: Annotated[list[Literal['name', 'account_number', 'phone_number', 'credit_card', 'iban', 'ssn', 'email', 'street_address', 'date_of_birth', 'ip_address', 'location', 'zip_code', 'driver_license', 'passport']], Field(max_length=20)]
    """
    Types found, in order of first appearance.
    """
    token: Annotated[str | None, Field(pattern='^pii_[0-9a-f]{32}$')] = None
    """
    Vault token of the sealed originals; absent (null) unless store_originals was set and PII was found.
    """
    entities: list[PiiEntity]
    """
    One per detected span, in text order; never the value.
    """


class FairnessFinding(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    attribute: str
    outcome: str
    outcome_type: Literal['numeric', 'boolean']
    disparities: dict[str, GroupOutcome]
    disparity_score: Annotated[float, Field(ge=0.0, le=1.0)]
    concern_level: Literal['low', 'medium', 'high']
    reliable: bool
    """
    False when fewer than two groups reach min_sample_size.
    """
    demographic_parity_difference: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    """
    Boolean outcomes only.
    """


class FairnessReportV1(BaseModel):
    """
    Reply to AnalyzeFairness.v1: the seed 000 `data` object (score, one finding per attribute x outcome, advice).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    fairness_score: Annotated[float, Field(ge=0.0, le=1.0)]
    """
    Mean disparity score (1 = parity).
    """
    detailed_findings: list[FairnessFinding]
    recommendations: list[Recommendation]
