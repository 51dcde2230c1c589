// Auto-pagination: every item of a listing, fetching page after page on demand (`for await`).
import type { ApiRequest, Transport } from "./transport.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- listing bodies are untyped in the OpenAPI document
/** The items on a page and the cursor of the next one (null at the end). */
export type Extract = (body: Json) => [unknown[], number | null];

export async function* paginate<T>(
  transport: Transport,
  page: (cursor: number) => ApiRequest,
  extract: Extract,
  first: number,
): AsyncGenerator<T> {
  let cursor: number | null = first;
  while (cursor !== null) {
    const [items, next] = extract(await transport.call<Json>(page(cursor)));
    for (const item of items) yield item as T;
    cursor = next;
  }
}

/** Listings with limit/offset/total (seed 000 inside its `data` envelope, seed 002 at the top). */
export function offsetPages(key: string, limit: number, envelope?: string): Extract {
  return (body) => {
    const page: Json = envelope ? (body[envelope] ?? {}) : body;
    const items: unknown[] = Array.isArray(page[key]) ? page[key] : [];
    const next = Number(page.offset ?? 0) + items.length;
    const more = items.length > 0 && (page.total !== undefined ? next < Number(page.total) : items.length >= limit);
    return [items, more ? next : null];
  };
}

/** Seed 004 listings: `data` items and `pagination: {page, pages}`. */
export const numberedPages: Extract = (body) => {
  const items: unknown[] = Array.isArray(body.data) ? body.data : [];
  const page = Number(body.pagination?.page ?? 1);
  const pages = Number(body.pagination?.pages ?? 0);
  return [items, items.length > 0 && page < pages ? page + 1 : null];
};
