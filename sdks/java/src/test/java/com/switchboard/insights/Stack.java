package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** The platform in one process ({@code switchboard up --inproc}) on a free port, started once for all tests. */
final class Stack {
    static final Path REPO = Path.of("").toAbsolutePath().getParent().getParent();
    private static Stack running;

    final String url;
    final String apiKey;
    final String adminEmail;
    final String adminPassword;

    private Stack(String url, JsonNode creds) {
        this.url = url;
        this.apiKey = creds.path("api_key").asText();
        this.adminEmail = creds.path("admin_email").asText();
        this.adminPassword = creds.path("admin_password").asText();
    }

    static synchronized Stack get() throws Exception {
        if (running == null) {
            running = start();
        }
        return running;
    }

    private static Stack start() throws Exception {
        Path dataDir = Files.createTempDirectory("switchboard-java-sdk-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String python = System.getenv().getOrDefault("SWITCHBOARD_PYTHON", REPO.resolve(".venv/bin/python").toString());
        ProcessBuilder builder = new ProcessBuilder(python, "-m", "services.launcher.cli", "up", "--inproc",
                "--port", String.valueOf(port), "--data-dir", dataDir.toString())
                .directory(REPO.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("stack.log").toFile());
        builder.environment().remove("SWITCHBOARD_API_KEY");
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
        String url = "http://127.0.0.1:" + port;
        waitReady(url, process);
        JsonNode creds = new ObjectMapper().readTree(dataDir.resolve("credentials.json").toFile());
        return new Stack(url, creds);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void waitReady(String url, Process process) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("switchboard up --inproc exited with " + process.exitValue());
            }
            try {
                HttpRequest ready = HttpRequest.newBuilder(URI.create(url + "/ready")).build();
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("stack not ready");
    }
}
