// Seed 000, CustomerAI Insights: /api/v1/... (answers in the {"error": false, "data": ...} envelope).
import { offsetPages, paginate } from "../pagination.js";
import type { paths } from "../openapi.js";
import type { Transport } from "../transport.js";
import type { Json, Reply, Query, Schemas } from "../types.js";

export class Insights {
  constructor(private readonly transport: Transport) {}

  private post<P extends keyof paths>(path: P, json: unknown): Promise<Reply<P, "post">> {
    return this.transport.call({ method: "POST", path, json });
  }

  /** `tenantId` only for an email registered in several tenants (else the password must match just one). */
  login(username: string, password: string, tenantId?: string): Promise<Reply<"/api/v1/auth/login", "post">> {
    const json: Schemas["LoginRequest"] = { username, password, ...(tenantId ? { tenant_id: tenantId } : {}) };
    return this.transport.call({ method: "POST", path: "/api/v1/auth/login", json, authenticated: false });
  }
  analyzeSentiment(body: Schemas["SentimentRequest"]) { return this.post("/api/v1/analyze/sentiment", body); }
  analyzeBatch(body: Schemas["BatchRequest"]) { return this.post("/api/v1/analyze/batch", body); }
  generateResponse(body: Schemas["GenerateGenerateBody"]) { return this.post("/api/v1/generate/response", body); }
  anonymize(body: Schemas["AnonymizeRequest"]) { return this.post("/api/v1/privacy/anonymize", body); }
  deanonymize(body: Schemas["DeanonymizeRequest"]) { return this.post("/api/v1/privacy/deanonymize", body); }
  analyzeFairness(body: Schemas["FairnessRequest"]) { return this.post("/api/v1/fairness/analyze", body); }
  queueForReview(body: Schemas["QueueRequest"]) { return this.post("/api/v1/review/queue", body); }
  recordDecision(body: Schemas["DecisionRequest"]) { return this.post("/api/v1/review/decision", body); }
  aiGenerate(body: Schemas["AiGenerateBody"]) { return this.post("/api/v1/ai/generate", body); }
  aiEmbed(body: Schemas["EmbedRequest"]) { return this.post("/api/v1/ai/embed", body); }
  aiClassify(body: Schemas["ClassifyBody"]) { return this.post("/api/v1/ai/classify", body); }
  aiExplain(body: Schemas["ExplainBody"]) { return this.post("/api/v1/ai/explain", body); }
  createUser(body: Schemas["CreateUserRequest"]) { return this.post("/api/v1/users", body); }
  createApiKey(body: Schemas["CreateApiKeyRequest"]) { return this.post("/api/v1/api-keys", body); }

  /** A `pk_…` key for the chat widget, locked to `allowed_origins` (the plaintext is in the answer, once). */
  createPublishableKey(body: Schemas["CreatePublishableKeyRequest"]) { return this.post("/api/v1/publishable-keys", body); }
  listPublishableKeys(): Promise<Reply<"/api/v1/publishable-keys", "get">> { return this.transport.call({ method: "GET", path: "/api/v1/publishable-keys" }); }
  revokePublishableKey(keyId: string): Promise<Reply<"/api/v1/publishable-keys/{key_id}", "delete">> {
    return this.transport.call({ method: "DELETE", path: `/api/v1/publishable-keys/${encodeURIComponent(keyId)}` });
  }
  aiProviders(): Promise<Reply<"/api/v1/ai/providers", "get">> { return this.transport.call({ method: "GET", path: "/api/v1/ai/providers" }); }
  listUsers(): Promise<Reply<"/api/v1/users", "get">> { return this.transport.call({ method: "GET", path: "/api/v1/users" }); }
  listApiKeys(): Promise<Reply<"/api/v1/api-keys", "get">> { return this.transport.call({ method: "GET", path: "/api/v1/api-keys" }); }
  revokeApiKey(keyId: string): Promise<Reply<"/api/v1/api-keys/{key_id}", "delete">> {
    return this.transport.call({ method: "DELETE", path: `/api/v1/api-keys/${encodeURIComponent(keyId)}` });
  }
  listReviewQueue(query: Query<"list_review_queue_api_v1_review_queue_get"> = {}): Promise<Reply<"/api/v1/review/queue", "get">> {
    return this.transport.call({ method: "GET", path: "/api/v1/review/queue", query });
  }
  /** Every queued item across pages (`limit` per request). */
  iterReviewQueue(query: Omit<Query<"list_review_queue_api_v1_review_queue_get">, "offset"> = {}): AsyncGenerator<Json> {
    const limit = query.limit ?? 50;
    const page = (offset: number) => ({ method: "GET" as const, path: "/api/v1/review/queue", query: { ...query, limit, offset } });
    return paginate(this.transport, page, offsetPages("items", limit, "data"), 0);
  }
}
