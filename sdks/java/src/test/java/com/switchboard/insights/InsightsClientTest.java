package com.switchboard.insights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against the running platform (seed 000's routes on the real gateway and services). */
class InsightsClientTest {
    static Stack stack;
    static InsightsClient client;

    @BeforeAll
    static void startStack() throws Exception {
        stack = Stack.get();
        client = InsightsClient.builder().baseUrl(stack.url).apiKey(stack.apiKey).build();
    }

    @Test
    void analyzesSentimentWithAKeyAndWithALoginToken() {
        SentimentResult happy = client.analyzeSentiment("I am very happy with your service!");
        assertEquals("positive", happy.sentiment());
        assertTrue(happy.positive() > happy.negative());
        assertTrue(happy.satisfactionScore() >= 7);
        String jwt = client.login(stack.adminEmail, stack.adminPassword);
        InsightsClient byJwt = InsightsClient.builder().baseUrl(stack.url).apiKey(jwt).build();
        assertEquals("negative", byJwt.analyzeSentiment("This is the third time it broke. Terrible.").sentiment());
    }

    @Test
    void batchKeepsTheOrder() {
        List<SentimentResult> results = client.analyzeBatch(List.of("Thanks, that was quick!", "Awful, nothing works."));
        assertEquals(List.of("positive", "negative"), results.stream().map(SentimentResult::sentiment).toList());
    }

    @Test
    void reviewQueueIsReadAcrossPages() {
        for (int i = 0; i < 5; i++) {
            client.queueForReview(Map.of("query", "Can I get a refund " + i + "?", "response", "Yes, within 30 days."));
        }
        Set<String> queries = client.reviewQueue("queued", 2).map(item -> item.path("query").asText())
                .collect(Collectors.toSet());
        for (int i = 0; i < 5; i++) {
            assertTrue(queries.contains("Can I get a refund " + i + "?"), queries.toString());
        }
    }

    @Test
    void errorsCarryStatusMessageAndRequestId() {
        InsightsClient stranger = InsightsClient.builder().baseUrl(stack.url).apiKey("sb_wrong").build();
        InsightsException denied = assertThrows(InsightsException.class, () -> stranger.analyzeSentiment("hello"));
        assertEquals(401, denied.status());
        assertTrue(denied.requestId().startsWith("req_"));
        InsightsException invalid = assertThrows(InsightsException.class, () -> client.analyzeSentiment(""));
        assertEquals(400, invalid.status());
        assertTrue(invalid.details().has("text"), invalid.details().toString());
    }

    @Test
    void anUnreachableGatewayIsOneClearError() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        InsightsClient nowhere = InsightsClient.builder().baseUrl("http://127.0.0.1:" + port)
                .timeout(Duration.ofSeconds(2)).maxRetries(1).build();
        InsightsException error = assertThrows(InsightsException.class, nowhere::providers);
        assertEquals(0, error.status());
        assertTrue(error.getMessage().contains("2 attempt(s)"), error.getMessage());
    }

    @Test
    void readmeExampleIsThisTestsExampleAndRuns() throws Exception {
        String readme = Files.readString(Stack.REPO.resolve("sdks/java/README.md"));
        String source = Files.readString(Stack.REPO.resolve(
                "sdks/java/src/test/java/com/switchboard/insights/ReadmeExample.java"));
        String body = source.substring(source.indexOf("// example:start") + 17, source.indexOf("        // example:end"));
        String unindented = body.lines().map(l -> l.replaceFirst("^ {8}", "")).collect(Collectors.joining("\n"));
        assertTrue(readme.contains(unindented.strip()), "README's example differs from ReadmeExample.java");
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        JsonNode out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            out = ReadmeExample.run(stack.url, stack.apiKey);
        } finally {
            System.setOut(console);
        }
        assertEquals("positive", out.get("sentiment").asText());
        String lines = printed.toString(StandardCharsets.UTF_8);
        assertTrue(lines.startsWith("positive "), lines);     // what the example prints: sentiment, then its score
        assertTrue(lines.contains("400 req_"), lines);         // the refused empty text: status and request id
    }
}
