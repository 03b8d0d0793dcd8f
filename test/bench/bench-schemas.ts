// The PostgreSQL schemas a bench run creates, so that each is dropped after, even when the run is interrupted.
import { dropSchema, uniqueSchema } from '../support/postgres.js';

const live = new Set<string>();

export function benchSchema(prefix: string): string {
  const schema = uniqueSchema(prefix);
  live.add(schema);
  return schema;
}

export async function dropBenchSchema(schema: string): Promise<void> {
  await dropSchema(schema);
  live.delete(schema);
}

/** Ctrl-C: drops what is left (bounded: a database that does not answer must not hold the exit). */
export async function dropLeftSchemas(timeoutMs = 5000): Promise<void> {
  const all = Promise.all([...live].map((s) => dropBenchSchema(s).catch(() => undefined)));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
