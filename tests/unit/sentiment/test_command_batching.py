"""Commands in flight together are analysed in one model call, each with its own irate rule, same results."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from services.sentiment.domain import IrateRule
from services.sentiment.handlers import analysis_batcher
from services.sentiment.model import SentimentModel

COMMANDS = [
    (["This is the third time my card was declined, I am furious"], IrateRule()),
    (["Thanks, that fixed it", "great service today"], IrateRule()),
    (["I will cancel my account"], IrateRule(threshold=0.99, keywords=("cancel",))),
]


async def test_concurrent_commands_share_a_batch_and_get_what_each_alone_would(model: SentimentModel) -> None:
    batcher = analysis_batcher(model)
    results = await asyncio.gather(*(batcher.submit(command) for command in COMMANDS))
    alone = [model.analyze(texts, rule) for texts, rule in COMMANDS]
    assert [[a.label for a in r] for r in results] == [[a.label for a in r] for r in alone]
    for batched, single in zip(results, alone, strict=True):
        for b, s in zip(batched, single, strict=True):
            # int8 activations are quantised per batch (TwoHeadOnnx.batches): texts of one token length that share a
            # batch nudge each other's scores a little, never the label or level.
            assert abs(b.score - s.score) < 0.1
            assert b.irate == s.irate and b.cs_level == s.cs_level
    assert results[2][0].irate  # the third command's own keyword rule applied inside the shared batch
    assert batcher.batches <= 2  # the first command may run alone; the other two share one call
    assert asdict(results[1][1]).keys() == asdict(alone[1][1]).keys()
