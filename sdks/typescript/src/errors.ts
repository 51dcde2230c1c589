// Typed errors: one class per HTTP status family, each carrying the dialect's error code and the request id.
// The five seed APIs answer errors in five envelopes; errorFromResponse recognises each by its shape and never
// assumes a field is there, so an unexpected body (a proxy's HTML page, an empty body) still gives a typed error.

export type Dialect = "insights" | "support_agent" | "tiered_cs" | "kb_platform" | "crm_chat";

export class SwitchboardError extends Error {
  override name = "SwitchboardError";
}

/** The gateway could not be reached (after the configured retries). */
export class APIConnectionError extends SwitchboardError {
  override name = "APIConnectionError";
  constructor(message: string, readonly attempts: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
}

export class WebhookVerificationError extends SwitchboardError {
  override name = "WebhookVerificationError";
}

export interface StatusErrorFields {
  status: number;
  code: string | null;
  requestId: string | null;
  dialect: Dialect | null;
  details: unknown;
  body: unknown;
  headers: Headers;
}

/** The gateway answered 4xx/5xx. `code` is the dialect's own: invalid_request, CS_002, NOT_FOUND, ... */
export class APIStatusError extends SwitchboardError {
  override name = "APIStatusError";
  readonly status: number;
  readonly code: string | null;
  readonly requestId: string | null;
  readonly dialect: Dialect | null;
  readonly details: unknown;
  readonly body: unknown;
  readonly headers: Headers;

  constructor(message: string, fields: StatusErrorFields) {
    super(`${fields.status} ${fields.code ?? "error"}: ${message} (request_id=${fields.requestId})`);
    this.status = fields.status;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.dialect = fields.dialect;
    this.details = fields.details;
    this.body = fields.body;
    this.headers = fields.headers;
  }
}

export class BadRequestError extends APIStatusError { override name = "BadRequestError"; }
export class AuthenticationError extends APIStatusError { override name = "AuthenticationError"; }
export class PermissionDeniedError extends APIStatusError { override name = "PermissionDeniedError"; }
export class NotFoundError extends APIStatusError { override name = "NotFoundError"; }
export class ConflictError extends APIStatusError { override name = "ConflictError"; }
export class PayloadTooLargeError extends APIStatusError { override name = "PayloadTooLargeError"; }
export class RateLimitError extends APIStatusError { override name = "RateLimitError"; }
export class InternalServerError extends APIStatusError { override name = "InternalServerError"; }
export class ServiceUnavailableError extends InternalServerError { override name = "ServiceUnavailableError"; }

const BY_STATUS: Record<number, typeof APIStatusError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: BadRequestError,
  429: RateLimitError,
  503: ServiceUnavailableError,
};

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

interface Envelope {
  dialect: Dialect | null;
  code: string | null;
  message: string | null;
  details: unknown;
  requestId: string | null;
}

function envelope(body: unknown): Envelope {
  const none: Envelope = { dialect: null, code: null, message: null, details: null, requestId: null };
  if (!isObject(body)) return none;
  const error = body.error;
  if (isObject(error)) {
    const meta = isObject(body.metadata) ? body.metadata : {};
    const base = { code: text(error.code), message: text(error.message), details: error.details };
    if (body.success === false) return { ...base, dialect: "crm_chat", requestId: text(meta.request_id) };
    if ("request_id" in error) return { ...base, dialect: "kb_platform", requestId: text(error.request_id) };
    return { ...base, dialect: "tiered_cs", requestId: null };
  }
  if (error === true && "error_type" in body) {
    return { dialect: "support_agent", code: text(body.error_type), message: text(body.message),
             details: body.details, requestId: text(body.request_id) };
  }
  if (error === true) {
    return { dialect: "insights", code: null, message: text(body.message), details: body.details, requestId: null };
  }
  return { ...none, message: text(body.message ?? body.detail) };
}

export async function errorFromResponse(response: Response): Promise<APIStatusError> {
  const raw = await response.text();
  let body: unknown = raw;
  try {
    body = JSON.parse(raw);
  } catch {
    // not JSON: keep the text
  }
  const found = envelope(body);
  const cls = BY_STATUS[response.status] ?? (response.status >= 500 ? InternalServerError : APIStatusError);
  const fallback = typeof body === "string" && body ? body.slice(0, 200) : response.statusText || "HTTP error";
  return new cls(found.message ?? fallback, {
    status: response.status,
    code: found.code,
    requestId: found.requestId ?? response.headers.get("x-request-id"),
    dialect: found.dialect,
    details: found.details,
    body,
    headers: response.headers,
  });
}
