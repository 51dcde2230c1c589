// The widget's only calls: seed 003's conversations API on the gateway.

export interface Turn {
  sender: "user" | "ai" | "agent" | "system";
  content: string;
  sources: string[];
}

export interface Answer {
  conversationId: string;
  turn: Turn;
  escalated: boolean;
}

export class GatewayError extends Error {}

type Raw = Record<string, unknown>;

export class ConversationApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly visitor: string,
  ) {}

  private async request(path: string, init: RequestInit): Promise<Raw> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        ...init,
        headers: { Authorization: `Bearer ${this.apiKey}`, "Content-Type": "application/json", "X-Visitor-Id": this.visitor },
        credentials: "omit",
      });
    } catch {
      throw new GatewayError("We couldn't reach support just now.");
    }
    const body = (await response.json().catch(() => ({}))) as Raw;
    if (!response.ok) {
      const error = (body.error ?? {}) as Raw;
      throw new GatewayError(response.status === 429 ? "You're sending messages quickly — please wait a moment." :
        typeof error.message === "string" ? error.message : "Something went wrong on our side.");
    }
    return body;
  }

  async send(message: string, conversationId: string | null): Promise<Answer> {
    const body: Raw = { message, user_id: this.visitor, channel: "widget" };
    if (conversationId) body.conversation_id = conversationId;
    const data = await this.request("/api/v1/conversations", { method: "POST", body: JSON.stringify(body) });
    return {
      conversationId: String(data.conversation_id ?? ""),
      escalated: data.escalated === true,
      turn: { sender: "ai", content: String(data.response ?? ""), sources: Array.isArray(data.sources) ? data.sources.map(String) : [] },
    };
  }

  /** The conversation so far (after a reload); null when it is gone (expired, or another visitor's). */
  async history(conversationId: string): Promise<{ turns: Turn[]; escalated: boolean } | null> {
    let data: Raw;
    try {
      data = await this.request(`/api/v1/conversations/${encodeURIComponent(conversationId)}`, { method: "GET" });
    } catch {
      return null;
    }
    const messages = Array.isArray(data.messages) ? (data.messages as Raw[]) : [];
    const turns = messages.map((m) => ({
      sender: (["user", "ai", "agent", "system"].includes(String(m.sender)) ? m.sender : "ai") as Turn["sender"],
      content: String(m.content ?? ""),
      sources: Array.isArray(m.sources) ? m.sources.map(String) : [],
    }));
    return { turns, escalated: data.status === "escalated" };
  }
}
