"""Classification: trained BANKING77 head when the labels match, zero-shot otherwise."""

from __future__ import annotations

import math

import pytest

from libs.errors import Invalid
from services.sentiment.intent import TRAINED_ID, ZERO_SHOT_ID, Classifier, describe, normalize_label
from services.sentiment.model import SentimentModel


@pytest.fixture(scope="module")
def classifier(model: SentimentModel) -> Classifier:
    return Classifier(model=lambda: model)


def test_zero_shot_seed_example(classifier: Classifier) -> None:
    categories = ["account_access", "transaction_issue", "balance_inquiry", "fee_dispute", "technical_support"]
    scores, model_id = classifier.classify(
        "I'm having trouble accessing my account online after multiple attempts.", categories
    )
    assert model_id == ZERO_SHOT_ID
    assert next(iter(scores)) == "account_access"
    assert set(scores) == set(categories) and math.isclose(sum(scores.values()), 1.0, abs_tol=1e-6)


def test_trained_model_when_labels_are_banking77(classifier: Classifier) -> None:
    scores, model_id = classifier.classify(
        "I was charged twice for the same purchase", ["card_arrival", "Transaction charged twice", "exchange_rate"]
    )
    assert model_id == TRAINED_ID
    assert next(iter(scores)) == "Transaction charged twice"
    assert math.isclose(sum(scores.values()), 1.0, abs_tol=1e-6)


@pytest.mark.parametrize("categories", [["only"], [f"c{i}" for i in range(101)], ["a", ""], ["a", "a"], "ab"])
def test_bad_category_lists_are_invalid(classifier: Classifier, categories: list[str]) -> None:
    with pytest.raises(Invalid) as err:
        classifier.classify("hello", categories)
    assert "categories" in err.value.details


def test_odd_texts_still_classify(classifier: Classifier) -> None:
    for text in ["", "🙂🙂", "MI TARJETA NO LLEGA", "x" * 10000]:
        scores, _ = classifier.classify(text, ["billing", "delivery", "other"])
        assert math.isclose(sum(scores.values()), 1.0, abs_tol=1e-6)


def test_label_helpers() -> None:
    assert normalize_label("Card Arrival") == normalize_label("card-arrival") == "card_arrival"
    assert describe("accountAccess") == "account access" and describe("fee_dispute") == "fee dispute"
