// Seed 001, Customer Support Agent: /api/query, /api/session, /api/escalation, /health.
import type { Transport } from "../transport.js";
import type { Reply, Schemas } from "../types.js";

const id = encodeURIComponent;

export class SupportAgent {
  constructor(private readonly transport: Transport) {}

  query(body: Schemas["QueryBody"]): Promise<Reply<"/api/query", "post">> {
    return this.transport.call({ method: "POST", path: "/api/query", json: body });
  }
  createSession(body: Schemas["SessionBody"]): Promise<Reply<"/api/session", "post">> {
    return this.transport.call({ method: "POST", path: "/api/session", json: body });
  }
  getSession(sessionId: string): Promise<Reply<"/api/session/{session_id}", "get">> {
    return this.transport.call({ method: "GET", path: `/api/session/${id(sessionId)}` });
  }
  closeSession(sessionId: string): Promise<Reply<"/api/session/{session_id}", "delete">> {
    return this.transport.call({ method: "DELETE", path: `/api/session/${id(sessionId)}` });
  }
  createEscalation(body: Schemas["CreateEscalationRequest"]): Promise<Reply<"/api/escalation", "post">> {
    return this.transport.call({ method: "POST", path: "/api/escalation", json: body });
  }
  getEscalation(ticketId: string): Promise<Reply<"/api/escalation/{ticket_id}", "get">> {
    return this.transport.call({ method: "GET", path: `/api/escalation/${id(ticketId)}` });
  }
  updateEscalation(ticketId: string, body: Schemas["UpdateEscalationRequest"]): Promise<Reply<"/api/escalation/{ticket_id}", "put">> {
    return this.transport.call({ method: "PUT", path: `/api/escalation/${id(ticketId)}`, json: body });
  }
  health(): Promise<Reply<"/health", "get">> {
    return this.transport.call({ method: "GET", path: "/health", authenticated: false });
  }
}
