import type { components, operations } from "./openapi.js";

/** Request bodies, generated from the gateway's OpenAPI document (src/openapi.ts, `npm run generate`). */
export type Schemas = components["schemas"];
export type Query<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;
/** Response bodies: the gateway declares none yet, so they are the seed's JSON as sent. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;
