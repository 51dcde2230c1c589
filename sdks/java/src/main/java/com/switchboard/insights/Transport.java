package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** HTTP with auth, timeouts and retries on 429/503 that honour Retry-After and seed 000's X-Rate-Limit-* headers. */
final class Transport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_SERVER_WAIT_MS = 60_000; // longer (an hourly quota) is not waited for

    private final HttpClient http;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    private final int maxRetries;

    Transport(String baseUrl, String apiKey, Duration timeout, int maxRetries) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        // HTTP/1.1: the JDK otherwise offers an h2c upgrade on plain http, which uvicorn refuses.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    JsonNode call(String method, String path, Object body, boolean authenticated) {
        HttpRequest request = build(method, path, body, authenticated);
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= maxRetries) {
                    String what = e instanceof HttpTimeoutException ? "timed out" : "could not reach the gateway";
                    throw new InsightsException(0, what + " after " + (attempt + 1) + " attempt(s)", null,
                            JsonNodeFactory.instance.objectNode(), e);
                }
                sleep(backoffMs(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InsightsException(0, "interrupted", null, JsonNodeFactory.instance.objectNode(), e);
            }
            Optional<Long> wait = retryWaitMs(attempt, response);
            if (wait.isEmpty()) {
                return result(response);
            }
            sleep(wait.get());
        }
    }

    private HttpRequest build(String method, String path, Object body, boolean authenticated) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "switchboard-insights-java/0.1.0");
        if (authenticated && apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        try {
            // One idempotency key for every attempt: a retried POST whose first answer was lost is not done twice.
            return builder.header("Content-Type", "application/json")
                    .header("Idempotency-Key", "sdk_" + UUID.randomUUID().toString().replace("-", ""))
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalArgumentException("request body is not JSON-serialisable", e);
        }
    }

    private Optional<Long> retryWaitMs(int attempt, HttpResponse<String> response) {
        int status = response.statusCode();
        if (attempt >= maxRetries || (status != 429 && status != 503)) {
            return Optional.empty();
        }
        Optional<Long> asked = serverWaitMs(response);
        if (asked.isEmpty()) {
            return Optional.of(backoffMs(attempt));
        }
        return asked.get() <= MAX_SERVER_WAIT_MS ? asked : Optional.empty();
    }

    /** Retry-After seconds, else an exhausted window's reset epoch second (either seed spelling). */
    static Optional<Long> serverWaitMs(HttpResponse<String> response) {
        var headers = response.headers();
        Optional<String> retryAfter = headers.firstValue("retry-after");
        if (retryAfter.isPresent() && retryAfter.get().matches("\\d+")) {
            return Optional.of(Long.parseLong(retryAfter.get()) * 1000);
        }
        String remaining = headers.firstValue("x-rate-limit-remaining")
                .orElse(headers.firstValue("x-ratelimit-remaining").orElse(null));
        String reset = headers.firstValue("x-rate-limit-reset").orElse(headers.firstValue("x-ratelimit-reset").orElse(null));
        if ("0".equals(remaining) && reset != null && reset.matches("\\d+")) {
            return Optional.of(Math.max(0, Long.parseLong(reset) * 1000 - System.currentTimeMillis()) + 50);
        }
        return Optional.empty();
    }

    private static long backoffMs(int attempt) {
        // Full jitter, so clients refused together do not come back together.
        return ThreadLocalRandom.current().nextLong(Math.min(8000, 500L << attempt) + 1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JsonNode result(HttpResponse<String> response) {
        JsonNode body = parse(response.body());
        if (response.statusCode() < 400) {
            return body;
        }
        String requestId = response.headers().firstValue("x-request-id").orElse(null);
        String message = body.path("message").isTextual() ? body.path("message").asText()
                : response.body().isEmpty() ? "HTTP " + response.statusCode()
                : response.body().substring(0, Math.min(200, response.body().length()));
        JsonNode details = body.path("details").isObject() ? body.path("details") : JsonNodeFactory.instance.objectNode();
        throw new InsightsException(response.statusCode(), message, requestId, details, null);
    }

    private static JsonNode parse(String text) {
        try {
            return text.isEmpty() ? JsonNodeFactory.instance.objectNode() : JSON.readTree(text);
        } catch (IOException e) {
            return JsonNodeFactory.instance.objectNode(); // not JSON (a proxy's page): the raw text goes in the message
        }
    }
}
