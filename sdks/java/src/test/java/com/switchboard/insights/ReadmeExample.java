package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** The README's "use it from your code" example, verbatim between the markers (a test checks both agree). */
final class ReadmeExample {
    static JsonNode run(String baseUrl, String apiKey) {
        // example:start
        InsightsClient client = InsightsClient.builder()
                .baseUrl(baseUrl)               // default: $SWITCHBOARD_BASE_URL, else http://127.0.0.1:8080
                .apiKey(apiKey)                 // an API key or a JWT from client.login(...)
                .build();
        SentimentResult result = client.analyzeSentiment("I am very happy with your service!");
        System.out.println(result.sentiment() + " " + result.positive());
        try {
            client.analyzeSentiment("");
        } catch (InsightsException e) {     // status, message, details and the request id to quote
            System.out.println(e.status() + " " + e.requestId() + " " + e.details());
        }
        // example:end
        return JsonNodeFactory.instance.objectNode().put("sentiment", result.sentiment());
    }

    private ReadmeExample() {}
}
