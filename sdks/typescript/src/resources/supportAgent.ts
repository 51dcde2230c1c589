// Seed 001, Customer Support Agent: /api/query, /api/session, /api/escalation, /health.
import type { Transport } from "../transport.js";
import type { Json, Schemas } from "../types.js";

const id = encodeURIComponent;

export class SupportAgent {
  constructor(private readonly transport: Transport) {}

  query(body: Schemas["QueryBody"]): Promise<Json> {
    return this.transport.call({ method: "POST", path: "/api/query", json: body });
  }
  createSession(body: Schemas["SessionBody"]): Promise<Json> {
    return this.transport.call({ method: "POST", path: "/api/session", json: body });
  }
  getSession(sessionId: string): Promise<Json> {
    return this.transport.call({ method: "GET", path: `/api/session/${id(sessionId)}` });
  }
  closeSession(sessionId: string): Promise<Json> {
    return this.transport.call({ method: "DELETE", path: `/api/session/${id(sessionId)}` });
  }
  createEscalation(body: Schemas["CreateEscalationRequest"]): Promise<Json> {
    return this.transport.call({ method: "POST", path: "/api/escalation", json: body });
  }
  getEscalation(ticketId: string): Promise<Json> {
    return this.transport.call({ method: "GET", path: `/api/escalation/${id(ticketId)}` });
  }
  updateEscalation(ticketId: string, body: Schemas["UpdateEscalationRequest"]): Promise<Json> {
    return this.transport.call({ method: "PUT", path: `/api/escalation/${id(ticketId)}`, json: body });
  }
  health(): Promise<Json> {
    return this.transport.call({ method: "GET", path: "/health", authenticated: false });
  }
}
