// The API's listening socket: a small HTTP/1.1 front that answers the fast lane's requests
// itself and hands every other connection to Node's http server (and so to Hono).
//
// Node's http module costs ≈ 45 µs of CPU per request on our 2-core reference machine — as
// much as everything else a single-row prediction does — so the two scoring routes are read
// here straight off the socket. The front understands only the plain case: `POST <scoring
// route> HTTP/1.1` with Host, one Content-Length and no Transfer-Encoding, Expect, Upgrade or
// folded header. At the first request it does not answer itself (another route, any doubt
// about the framing, a request the fast lane declines) it gives the connection to Node's
// server with every unanswered byte put back, and never touches it again: Node then parses
// that request from its first byte, and every error, limit and timeout is Node's and Hono's.
import type { Server as HttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { FastLane, FastRoute } from "./fast-lane.ts";

/** Headers larger than this go to Node's server, which answers 431 past its own limit. */
const MAX_HEAD_BYTES = 16 * 1024;
/** Idle keep-alive connections close after this, as Node's http server does by default. */
const KEEP_ALIVE_MS = 5_000;
/**
 * Idle connections are found by one sweep over all of them at this period (at most), not
 * by a timer per socket: socket.setTimeout re-arms a timer at every read and write, ≈ 5 µs
 * of a request's CPU at 5,000 requests/s. An idle connection so closes within
 * keepAliveMs + the period.
 */
const SWEEP_MS = 1_000;
/**
 * A request still incomplete after this (a client trickling bytes to stay under the idle
 * timeout) goes to Node's server, whose headersTimeout / requestTimeout then apply.
 */
const REQUEST_DEADLINE_MS = 10_000;

export interface FastFrontOptions {
  keepAliveMs?: number;
  requestDeadlineMs?: number;
}
const CRLFCRLF = Buffer.from("\r\n\r\n");
const REASONS: Record<number, string> = { 200: "OK", 400: "Bad Request", 500: "Internal Server Error" };

let dateSecond = 0;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TOKEN[c.charCodeAt(0)] = 1;

/** A lower-cased header name made only of RFC 9110 token characters. */
function isToken(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/** A control character other than tab: Node's parser refuses those in a header value. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

interface Head {
  route: FastRoute;
  target: string;
  headEnd: number;
  contentLength: number;
  apiKey: string | undefined;
  contentType: string | undefined;
  requestId: string | undefined;
  close: boolean;
}

/**
 * Reads a request head the front may answer, or returns null: hand over. Strict on purpose —
 * whatever it does not fully understand is Node's to parse.
 */
export function parseHead(buf: Buffer, headEnd: number, lane: Pick<FastLane, "route">): Head | null {
  const text = buf.toString("latin1", 0, headEnd);
  const lineEnd = text.indexOf("\r\n");
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd);
  const sp1 = line.indexOf(" ");
  const sp2 = line.indexOf(" ", sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || line.slice(sp2 + 1) !== "HTTP/1.1") return null;
  const target = line.slice(sp1 + 1, sp2);
  const route = lane.route(line.slice(0, sp1), target);
  if (!route || lineEnd < 0) return null;
  let contentLength = -1;
  let host = false;
  let apiKey: string | undefined;
  let contentType: string | undefined;
  let requestId: string | undefined;
  let close = false;
  let at = lineEnd + 2;
  while (at < text.length) {
    let end = text.indexOf("\r\n", at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", at);
    const first = text.charCodeAt(at);
    // obs-fold, a line without a name, or a bare CR/LF inside: not ours to interpret.
    if (colon < 0 || colon > end || colon === at || first === 32 || first === 9) return null;
    const name = text.slice(at, colon).toLowerCase();
    const value = text.slice(colon + 1, end).trim();
    if (hasControl(value) || !isToken(name)) return null;
    switch (name) {
      case "content-length":
        if (contentLength >= 0 || !/^\d{1,15}$/.test(value)) return null;
        contentLength = Number(value);
        break;
      case "host":
        if (host) return null;
        host = true;
        break;
      case "x-api-key":
        if (apiKey !== undefined) return null;
        apiKey = value;
        break;
      case "content-type":
        if (contentType !== undefined) return null;
        contentType = value;
        break;
      case "x-request-id":
        if (requestId !== undefined) return null;
        requestId = value;
        break;
      case "connection": {
        const v = value.toLowerCase();
        if (v === "close") close = true;
        else if (v !== "keep-alive") return null;
        break;
      }
      case "transfer-encoding":
      case "expect":
      case "upgrade":
      case "trailer":
        return null;
    }
    at = end + 2;
  }
  if (contentLength < 0 || !host) return null;
  return { route, target, headEnd, contentLength, apiKey, contentType, requestId, close };
}

export interface FastFront {
  server: Server;
  /** Closes idle connections now (the front's and Node's); busy ones finish their request. */
  closeIdle(): void;
  /** Destroys every connection still open. */
  closeAll(): void;
}

/** A TCP server in front of `http` (not listening itself) answering `lane`'s requests. */
export function createFastFront(lane: FastLane, http: HttpServer, options: FastFrontOptions = {}): FastFront {
  const open = new Set<Connection>();
  const limits = { keepAliveMs: options.keepAliveMs ?? KEEP_ALIVE_MS, requestDeadlineMs: options.requestDeadlineMs ?? REQUEST_DEADLINE_MS };
  const server = createServer({ noDelay: true }, (socket) => {
    const c = new Connection(socket, lane, http, limits, () => open.delete(c));
    open.add(c);
  });
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const c of open) c.sweep(now);
    },
    Math.max(10, Math.min(SWEEP_MS, limits.keepAliveMs / 4)),
  ).unref();
  // Node's server never listens itself; this starts its tracking of the connections it is
  // handed (header and request timeouts, closeIdleConnections), and stops it on close.
  server.on("listening", () => http.emit("listening"));
  server.on("close", () => {
    clearInterval(sweeper);
    http.close(() => undefined);
  });
  return {
    server,
    closeIdle() {
      for (const c of open) c.closeIfIdle();
      http.closeIdleConnections();
    },
    closeAll() {
      for (const c of open) c.socket.destroy();
      http.closeAllConnections();
    },
  };
}

class Connection {
  /** Bytes read and not yet answered: `buf`, then the chunks in `pending` (joined only when needed). */
  private buf: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How many bytes the request being read needs in all (0: not known yet). */
  private need = 0;
  /** When the bytes of the request being read began to arrive (0: none pending). */
  private partialSince = 0;
  private busy = false;
  private done = false;
  private closing = false;
  /** Date.now() of the last byte read or answer written: the sweep closes a connection idle for keepAliveMs. */
  private lastActive = Date.now();
  private readonly onData = (chunk: Buffer) => {
    const now = (this.lastActive = Date.now());
    if (this.partialSince === 0) this.partialSince = now;
    else if (!this.busy && now - this.partialSince > this.limits.requestDeadlineMs) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return this.handOver();
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Pipelined requests wait while one is answered; stop reading past one full request.
    if (this.busy && this.size() > MAX_HEAD_BYTES + this.lane.bodyLimitBytes) this.socket.pause();
    this.pump();
  };
  private readonly onError = () => this.finish();
  private readonly onGone = () => this.finish();

  constructor(
    readonly socket: Socket,
    private readonly lane: FastLane,
    private readonly http: HttpServer,
    private readonly limits: Required<FastFrontOptions>,
    private readonly forget: () => void,
  ) {
    socket.on("data", this.onData);
    socket.on("error", this.onError);
    socket.on("close", this.onGone);
  }

  /** Called by the front's sweep: a connection idle for keepAliveMs is closed or handed on. */
  sweep(now: number): void {
    if (this.done || this.busy || now - this.lastActive < this.limits.keepAliveMs) return;
    // A partial request: Node's server applies its own header/request timeouts to it.
    if (this.size() > 0) this.handOver();
    else {
      this.finish();
      this.socket.end();
    }
  }

  closeIfIdle(): void {
    if (this.done) return;
    this.closing = true;
    if (!this.busy && this.size() === 0) this.socket.end();
  }

  private size(): number {
    return this.buf.length + this.pendingBytes;
  }

  /** Joins the pending chunks onto `buf` (once per request for a body that comes in many). */
  private merge(): void {
    if (this.pending.length === 0) return;
    this.buf = this.buf.length === 0 && this.pending.length === 1 ? this.pending[0]! : Buffer.concat([this.buf, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private pump(): void {
    while (!this.busy && !this.done) {
      if (this.need > 0 && this.size() < this.need) return; // the rest of the body is on its way
      this.merge();
      const headEnd = this.buf.indexOf(CRLFCRLF);
      if (headEnd < 0) {
        if (this.buf.length > MAX_HEAD_BYTES) this.handOver();
        return;
      }
      const head = parseHead(this.buf, headEnd, this.lane);
      const key = head && head.contentLength <= this.lane.bodyLimitBytes ? this.lane.admit(head.apiKey, head.contentType) : null;
      if (!head || !key) return this.handOver();
      const end = headEnd + 4 + head.contentLength;
      if (this.buf.length < end) {
        this.need = end;
        return;
      }
      this.need = 0;
      this.busy = true;
      const body = this.buf.toString("utf8", headEnd + 4, end);
      const startedAt = performance.now();
      this.lane
        .handle({ route: head.route, path: head.target, key, requestId: head.requestId, body, startedAt })
        .then(
          (reply) => {
            this.busy = false;
            if (this.done) return;
            if (!reply) return this.handOver();
            if (this.socket.isPaused()) this.socket.resume();
            const close = head.close || this.closing;
            this.socket.write(
              `HTTP/1.1 ${reply.status} ${REASONS[reply.status] ?? ""}\r\ncontent-type: application/json\r\nx-request-id: ${reply.requestId}\r\nContent-Length: ${Buffer.byteLength(reply.json)}\r\nDate: ${httpDate()}\r\nConnection: ${close ? "close" : "keep-alive"}${close ? "" : "\r\nKeep-Alive: timeout=5"}\r\n\r\n${reply.json}`,
            );
            const now = (this.lastActive = Date.now());
            this.merge();
            this.buf = this.buf.subarray(end);
            this.partialSince = this.buf.length > 0 ? now : 0;
            if (close) {
              this.finish();
              this.socket.end();
              return;
            }
            this.pump();
          },
          () => {
            this.busy = false;
            this.handOver();
          },
        );
    }
  }

  /** Gives the socket and every byte not yet answered to Node's http server. */
  private handOver(): void {
    if (this.done) return;
    this.merge();
    const rest = this.buf;
    this.finish();
    this.socket.off("error", this.onError); // Node's server handles socket errors from here
    this.socket.pause();
    if (rest.length > 0) this.socket.unshift(rest);
    this.http.emit("connection", this.socket);
    this.socket.resume();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.buf = Buffer.alloc(0);
    this.pending = [];
    this.pendingBytes = 0;
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onGone);
    this.forget();
  }
}
