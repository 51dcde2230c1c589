package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;

/** POST /api/v1/analyze/sentiment's {@code data}: the label, the three probabilities and the analysis. */
public record SentimentResult(String sentiment, double positive, double negative, double neutral, JsonNode analysis) {
    static SentimentResult from(JsonNode data) {
        return new SentimentResult(
                data.path("sentiment").asText(""),
                data.path("positive").asDouble(),
                data.path("negative").asDouble(),
                data.path("neutral").asDouble(),
                data.path("analysis"));
    }

    /** Seed 000's satisfaction score (1-10) inside the analysis. */
    public int satisfactionScore() { return analysis.path("satisfaction_score").asInt(); }
}
