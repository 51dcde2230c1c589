// Seed 003, knowledge-base platform: /api/v1/conversations and /api/v1/knowledge-base.
import type { Transport } from "../transport.js";
import type { Json, Schemas } from "../types.js";

export class KbPlatform {
  constructor(private readonly transport: Transport) {}

  /** Start a conversation, or continue one when `conversation_id` is given. */
  converse(body: Schemas["ConversationBody"]): Promise<Json> {
    return this.transport.call({ method: "POST", path: "/api/v1/conversations", json: body });
  }
  getConversation(conversationId: string): Promise<Json> {
    return this.transport.call({ method: "GET", path: `/api/v1/conversations/${encodeURIComponent(conversationId)}` });
  }
  upsertArticle(body: Schemas["ArticleRequest"]): Promise<Json> {
    return this.transport.call({ method: "POST", path: "/api/v1/knowledge-base", json: body });
  }
}
