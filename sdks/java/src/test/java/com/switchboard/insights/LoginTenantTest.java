package com.switchboard.insights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** login(username, password, tenantId) against the running platform: an email registered in two tenants. */
class LoginTenantTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1 as the client itself speaks: an h2c upgrade request loses its body on the way to the gateway.
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** An operator call the Insights client does not offer (tenants and users are set up here, not tested). */
    private static JsonNode adminPost(Stack stack, String path, Map<String, Object> body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url + path))
                .header("Authorization", "Bearer " + stack.apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("data");
    }

    private static JsonNode claims(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    @Test
    void loginNamesTheTenantOfAnEmailRegisteredInSeveral() throws Exception {
        Stack stack = Stack.get();
        InsightsClient client = InsightsClient.builder().baseUrl(stack.url).apiKey(stack.apiKey).build();
        String tenantId = "java_login_" + System.currentTimeMillis();
        adminPost(stack, "/api/v1/tenants", Map.of("tenant_id", tenantId, "name", "Java login tenant"));
        String email = "twin-" + System.nanoTime() + "@example.com";
        String password = "same-password-in-both";
        JsonNode home = adminPost(stack, "/api/v1/users", Map.of("email", email, "password", password, "roles", new String[] {"agent"}));
        JsonNode away = adminPost(stack, "/api/v1/users",
                Map.of("email", email, "password", password, "roles", new String[] {"agent"}, "tenant_id", tenantId));

        // The password matches both accounts: without a tenant nothing tells which one, so it is refused.
        InsightsException ambiguous = assertThrows(InsightsException.class, () -> client.login(email, password));
        assertEquals(401, ambiguous.status());
        JsonNode awayClaims = claims(client.login(email, password, tenantId));
        assertEquals(tenantId, awayClaims.path("tenant").asText());
        assertEquals(away.path("id").asText(), awayClaims.path("sub").asText());
        JsonNode homeClaims = claims(client.login(email, password, home.path("tenant_id").asText()));
        assertEquals(home.path("id").asText(), homeClaims.path("sub").asText());
    }
}
