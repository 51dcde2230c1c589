import type { components, operations, paths } from "./openapi.js";

/** Request and response bodies, generated from the gateway's OpenAPI document (src/openapi.ts, `npm run generate`). */
export type Schemas = components["schemas"];
export type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** A free-form JSON object (the seed 002 config a caller sends, an error body). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

type Method = "get" | "post" | "put" | "patch" | "delete";
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;
type Success<Rs> = Rs extends { 200: infer R } ? JsonOf<R> : Rs extends { 201: infer R } ? JsonOf<R> : never;
/** The success body the gateway documents for `method` on the path template `P` (e.g. "/crm/users/{user_id}"). */
export type Reply<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer Rs }
  ? Success<Rs>
  : never;
