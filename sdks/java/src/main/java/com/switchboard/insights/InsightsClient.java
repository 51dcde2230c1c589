package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Client for seed 000, the CustomerAI Insights API, as served by the Switchboard gateway.
 *
 * <pre>{@code
 * InsightsClient client = InsightsClient.builder().apiKey("sb_...").build();
 * SentimentResult result = client.analyzeSentiment("I am very happy with your service!");
 * }</pre>
 *
 * The key (API key or a JWT from {@link #login}) is sent as a Bearer token; without one, $SWITCHBOARD_API_KEY.
 * The gateway is $SWITCHBOARD_BASE_URL unless given, else http://127.0.0.1:8080.
 */
public final class InsightsClient {
    private final Transport transport;

    private InsightsClient(Transport transport) {
        this.transport = transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** POST /api/v1/auth/login: a JWT for {@code username}, to build a client with. */
    public String login(String username, String password) {
        return login(username, password, null);
    }

    /**
     * POST /api/v1/auth/login naming the tenant of the account: needed only for an email registered in several
     * tenants (without it the password must match exactly one of them); {@code null} is the same as leaving it out.
     */
    public String login(String username, String password, String tenantId) {
        Map<String, String> credentials = new HashMap<>(Map.of("username", username, "password", password));
        if (tenantId != null) {
            credentials.put("tenant_id", tenantId);
        }
        JsonNode body = transport.call("POST", "/api/v1/auth/login", credentials, false);
        return body.path("data").path("token").asText();
    }

    /** POST /api/v1/analyze/sentiment. */
    public SentimentResult analyzeSentiment(String text) {
        return SentimentResult.from(post("/api/v1/analyze/sentiment", Map.of("text", text)).path("data"));
    }

    /** POST /api/v1/analyze/batch: one result per text, in the order given. */
    public List<SentimentResult> analyzeBatch(List<String> texts) {
        List<Map<String, String>> conversations = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            conversations.add(Map.of("id", "c" + i, "text", texts.get(i)));
        }
        JsonNode results = post("/api/v1/analyze/batch", Map.of("conversations", conversations)).path("data").path("results");
        return StreamSupport.stream(results.spliterator(), false).map(SentimentResult::from).toList();
    }

    /** POST /api/v1/generate/response: the {@code data} object (the response text, its model and checks). */
    public JsonNode generateResponse(String query, String customerId, Map<String, Object> context) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("customer_id", customerId);
        if (context != null) {
            body.put("context", context);
        }
        return post("/api/v1/generate/response", body).path("data");
    }

    /** POST /api/v1/privacy/anonymize: the {@code data} object (anonymized text and the entities found). */
    public JsonNode anonymize(String text) {
        return post("/api/v1/privacy/anonymize", Map.of("text", text)).path("data");
    }

    /** POST /api/v1/review/queue: queue an AI answer for human review; the {@code data} object. */
    public JsonNode queueForReview(Map<String, Object> item) {
        return post("/api/v1/review/queue", item).path("data");
    }

    /** GET /api/v1/review/queue, every item across pages of {@code pageSize}, fetched as the stream is read. */
    public Stream<JsonNode> reviewQueue(String status, int pageSize) {
        Iterator<JsonNode> items = new Iterator<>() {
            private Iterator<JsonNode> page = List.<JsonNode>of().iterator();
            private int offset = 0;
            private boolean last = false;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && !last) {
                    String query = "?status=" + status + "&limit=" + pageSize + "&offset=" + offset;
                    JsonNode data = transport.call("GET", "/api/v1/review/queue" + query, null, true).path("data");
                    List<JsonNode> fetched = StreamSupport.stream(data.path("items").spliterator(), false).toList();
                    offset += fetched.size();
                    last = fetched.isEmpty() || offset >= data.path("total").asInt(Integer.MAX_VALUE);
                    page = fetched.iterator();
                }
                return page.hasNext();
            }

            @Override
            public JsonNode next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(items, Spliterator.ORDERED), false);
    }

    /** GET /api/v1/ai/providers: the providers this gateway can use. */
    public JsonNode providers() {
        return transport.call("GET", "/api/v1/ai/providers", null, true).path("data");
    }

    private JsonNode post(String path, Object body) {
        return transport.call("POST", path, body, true);
    }

    public static final class Builder {
        private String baseUrl = System.getenv().getOrDefault("SWITCHBOARD_BASE_URL", "http://127.0.0.1:8080");
        private String apiKey = System.getenv("SWITCHBOARD_API_KEY");
        private Duration timeout = Duration.ofSeconds(30);
        private int maxRetries = 2;

        public Builder baseUrl(String baseUrl) { this.baseUrl = baseUrl; return this; }

        /** An API key or a JWT. */
        public Builder apiKey(String apiKey) { this.apiKey = apiKey; return this; }

        /** Per attempt. */
        public Builder timeout(Duration timeout) { this.timeout = timeout; return this; }

        /** Retries of 429, 503 and network failures. */
        public Builder maxRetries(int maxRetries) { this.maxRetries = maxRetries; return this; }

        public InsightsClient build() {
            return new InsightsClient(new Transport(baseUrl, apiKey, timeout, maxRetries));
        }
    }
}
