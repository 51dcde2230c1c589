// Seed 004, multi-agent chat + CRM: /sessions/*, /chat, /crm/*, /rag/*.
import { numberedPages, paginate } from "../pagination.js";
import type { ApiRequest, Transport } from "../transport.js";
import type { Json, Reply, Schemas } from "../types.js";

const id = encodeURIComponent;

export class CrmChat {
  constructor(private readonly transport: Transport) {}

  createSession(body: Schemas["CreateBody"]): Promise<Reply<"/sessions/create", "post">> {
    return this.transport.call({ method: "POST", path: "/sessions/create", json: body });
  }
  validateSession(sessionToken: string): Promise<Reply<"/sessions/validate/{session_token}", "get">> {
    return this.transport.call({ method: "GET", path: `/sessions/validate/${id(sessionToken)}`, authenticated: false });
  }
  chat(body: Schemas["ChatBody"], sessionToken?: string): Promise<Reply<"/chat", "post">> {
    const headers: Record<string, string> = sessionToken ? { "X-Session-Token": sessionToken } : {};
    return this.transport.call({ method: "POST", path: "/chat", json: body, headers });
  }
  createUser(body: Schemas["UserBody"]): Promise<Reply<"/crm/create_user", "post">> {
    return this.transport.call({ method: "POST", path: "/crm/create_user", json: body });
  }
  getUser(userId: string): Promise<Reply<"/crm/users/{user_id}", "get">> {
    return this.transport.call({ method: "GET", path: `/crm/users/${id(userId)}` });
  }
  listUsers(query: { page?: number; per_page?: number; active_only?: boolean } = {}): Promise<Reply<"/crm/users", "get">> {
    return this.transport.call({ method: "GET", path: "/crm/users", query });
  }
  iterUsers(perPage = 50): AsyncGenerator<Json> {
    return this.pages("/crm/users", perPage);
  }
  userConversations(userId: string, query: { page?: number; per_page?: number } = {}): Promise<Reply<"/crm/conversations/{user_id}", "get">> {
    return this.transport.call({ method: "GET", path: `/crm/conversations/${id(userId)}`, query });
  }
  iterUserConversations(userId: string, perPage = 50): AsyncGenerator<Json> {
    return this.pages(`/crm/conversations/${id(userId)}`, perPage);
  }
  ragStats(): Promise<Reply<"/rag/stats", "get">> {
    return this.transport.call({ method: "GET", path: "/rag/stats" });
  }
  listDocuments(query: { page?: number; per_page?: number } = {}): Promise<Reply<"/rag/documents", "get">> {
    return this.transport.call({ method: "GET", path: "/rag/documents", query });
  }
  iterDocuments(perPage = 50): AsyncGenerator<Json> {
    return this.pages("/rag/documents", perPage);
  }
  deleteDocument(filename: string): Promise<Reply<"/rag/documents/{filename}", "delete">> {
    return this.transport.call({ method: "DELETE", path: `/rag/documents/${id(filename)}` });
  }

  private pages(path: string, perPage: number): AsyncGenerator<Json> {
    const page = (number: number): ApiRequest => ({ method: "GET", path, query: { page: number, per_page: perPage } });
    return paginate(this.transport, page, numberedPages, 1);
  }
}
