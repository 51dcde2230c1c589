package com.switchboard.insights;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The gateway answered with an error in seed 000's envelope ({@code {"error": true, "status_code", "message",
 * "details"}}), or could not be reached ({@link #status()} 0). Never a bare parsing exception on an odd body.
 */
public class InsightsException extends RuntimeException {
    private final int status;
    private final String requestId;
    private final JsonNode details;

    public InsightsException(int status, String message, String requestId, JsonNode details, Throwable cause) {
        super(status == 0 ? message : status + ": " + message + " (request_id=" + requestId + ")", cause);
        this.status = status;
        this.requestId = requestId;
        this.details = details;
    }

    /** The HTTP status; 0 when the gateway could not be reached after the retries. */
    public int status() { return status; }

    /** The gateway's X-Request-ID, to quote to support; null when there was no answer. */
    public String requestId() { return requestId; }

    /** The envelope's details (field errors for a 400); an empty object when absent. */
    public JsonNode details() { return details; }

    public boolean isRateLimited() { return status == 429; }
}
