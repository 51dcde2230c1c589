// Seed 002, tiered CS sessions: <prefix>/sessions... and <prefix>/config (prefix /cs unless configured).
import { offsetPages, paginate } from "../pagination.js";
import type { Transport } from "../transport.js";
import type { Json, Reply, Query, Schemas } from "../types.js";

type ListQuery = Query<"list_sessions_cs_sessions_get">;
const id = encodeURIComponent;

export class TieredCs {
  constructor(private readonly transport: Transport, private readonly prefix = "/cs") {}

  startSession(body: Schemas["StartBody"]): Promise<Reply<"/cs/sessions", "post">> {
    return this.transport.call({ method: "POST", path: `${this.prefix}/sessions`, json: body });
  }
  getSession(sessionId: string): Promise<Reply<"/cs/sessions/{session_id}", "get">> {
    return this.transport.call({ method: "GET", path: `${this.prefix}/sessions/${id(sessionId)}` });
  }
  listSessions(query: ListQuery = {}): Promise<Reply<"/cs/sessions", "get">> {
    return this.transport.call({ method: "GET", path: `${this.prefix}/sessions`, query });
  }
  /** Every session matching the filters, across pages. */
  iterSessions(query: Omit<ListQuery, "offset"> = {}): AsyncGenerator<Json> {
    const limit = query.limit ?? 50;
    const page = (offset: number) => ({ method: "GET" as const, path: `${this.prefix}/sessions`, query: { ...query, limit, offset } });
    return paginate(this.transport, page, offsetPages("sessions", limit), 0);
  }
  sendMessage(sessionId: string, body: Schemas["MessageBody"]): Promise<Reply<"/cs/sessions/{session_id}/messages", "post">> {
    return this.transport.call({ method: "POST", path: `${this.prefix}/sessions/${id(sessionId)}/messages`, json: body });
  }
  escalate(sessionId: string, body: Schemas["EscalateBody"]): Promise<Reply<"/cs/sessions/{session_id}/escalate", "post">> {
    return this.transport.call({ method: "POST", path: `${this.prefix}/sessions/${id(sessionId)}/escalate`, json: body });
  }
  resolve(sessionId: string, body: Schemas["ResolveBody"]): Promise<Reply<"/cs/sessions/{session_id}/resolve", "post">> {
    return this.transport.call({ method: "POST", path: `${this.prefix}/sessions/${id(sessionId)}/resolve`, json: body });
  }
  getConfig(companyId?: string): Promise<Reply<"/cs/config", "get">> {
    return this.transport.call({ method: "GET", path: `${this.prefix}/config`, query: { companyId } });
  }
  updateConfig(config: Json): Promise<Reply<"/cs/config", "put">> {
    return this.transport.call({ method: "PUT", path: `${this.prefix}/config`, json: config });
  }
}
