// Reads a request body straight from Node's IncomingMessage (the @hono/node-server binding)
// with the size limit enforced while reading. Hono's own body path builds a full WHATWG
// Request per request just to read it, which costs more than scoring a row; this reader
// hands Hono the text through its body cache instead. Injected by server.ts, so app.ts
// stays runtime-agnostic (elsewhere the body-limit middleware does the same job).
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

export type BodyRead = { kind: "text"; text: string } | { kind: "too-large" } | { kind: "unhandled" };
export type BodyReader = (c: Context, maxBytes: number) => Promise<BodyRead>;

export const nodeBodyReader: BodyReader = (c, maxBytes) => {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.on !== "function" || incoming.readableEnded) return Promise.resolve({ kind: "unhandled" });
  const declared = Number(incoming.headers["content-length"] ?? Number.NaN);
  if (declared > maxBytes) return Promise.resolve({ kind: "too-large" });
  return new Promise<BodyRead>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining (and dropping) so the connection stays usable for the 413 response.
      if (size > maxBytes) chunks.length = 0;
      else chunks.push(chunk);
    });
    incoming.once("error", reject);
    incoming.once("end", () => {
      if (size > maxBytes) return resolve({ kind: "too-large" });
      resolve({ kind: "text", text: chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8") });
    });
  });
};
