// Seed 003's ChatClient, as its integration guide shows it: sendMessage({message, userId}) -> answer, confidence.
import { KbPlatform } from "./resources/kbPlatform.js";
import { type ClientOptions, Transport } from "./transport.js";
import type { Json, Schemas } from "./types.js";

export interface ChatClientOptions extends ClientOptions {
  /** Accepted for the seed's examples; the gateway address (baseUrl) alone decides where requests go. */
  environment?: string;
}

export interface SendMessageParams {
  message: string;
  userId: string;
  conversationId?: string;
  channel?: Schemas["ConversationBody"]["channel"];
  metadata?: Record<string, unknown>;
}

/** One answer; the seed's `response` field is `answer` here, as its SDK example reads it. */
export interface ChatResponse {
  answer: string;
  confidence: number;
  sources: string[];
  conversationId: string;
  escalated: boolean;
  timestamp: string | null;
  raw: Json;
}

export function toChatResponse(body: Json | null): ChatResponse {
  const data = body ?? {};
  return {
    answer: String(data.response ?? ""),
    confidence: Number(data.confidence ?? 0),
    sources: Array.isArray(data.sources) ? data.sources.map(String) : [],
    conversationId: String(data.conversation_id ?? ""),
    escalated: Boolean(data.escalated),
    timestamp: typeof data.timestamp === "string" ? data.timestamp : null,
    raw: data,
  };
}

export class ChatClient {
  readonly environment: string;
  private readonly kb: KbPlatform;

  constructor(options: ChatClientOptions = {}) {
    this.environment = options.environment ?? "production";
    this.kb = new KbPlatform(new Transport(options));
  }

  /** Ask; pass the previous answer's `conversationId` to continue the same conversation. */
  async sendMessage(params: SendMessageParams): Promise<ChatResponse> {
    const body: Schemas["ConversationBody"] = {
      message: params.message,
      user_id: params.userId,
      channel: params.channel ?? "api",
      ...(params.conversationId ? { conversation_id: params.conversationId } : {}),
      ...(params.metadata ? { metadata: params.metadata } : {}),
    };
    return toChatResponse(await this.kb.converse(body));
  }

  getConversation(conversationId: string): Promise<Json> {
    return this.kb.getConversation(conversationId);
  }
}
