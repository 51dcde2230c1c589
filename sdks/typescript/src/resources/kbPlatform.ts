// Seed 003, knowledge-base platform: /api/v1/conversations and /api/v1/knowledge-base.
import type { Transport } from "../transport.js";
import type { Reply, Schemas } from "../types.js";

export class KbPlatform {
  constructor(private readonly transport: Transport) {}

  /** Start a conversation, or continue one when `conversation_id` is given. */
  converse(body: Schemas["ConversationBody"]): Promise<Reply<"/api/v1/conversations", "post">> {
    return this.transport.call({ method: "POST", path: "/api/v1/conversations", json: body });
  }
  getConversation(conversationId: string): Promise<Reply<"/api/v1/conversations/{conversation_id}", "get">> {
    return this.transport.call({ method: "GET", path: `/api/v1/conversations/${encodeURIComponent(conversationId)}` });
  }
  upsertArticle(body: Schemas["ArticleRequest"]): Promise<Reply<"/api/v1/knowledge-base", "post">> {
    return this.transport.call({ method: "POST", path: "/api/v1/knowledge-base", json: body });
  }
}
