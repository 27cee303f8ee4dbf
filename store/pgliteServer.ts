import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite database to many `pg` connections over the PostgreSQL wire protocol.
 *
 * PGlite is a single backend, so connections must take turns — and a turn has to last a whole
 * protocol exchange, not one message: the extended protocol (Parse, Bind, Execute … Sync) keeps
 * state between messages, and a transaction keeps state between exchanges. pglite-socket 0.2
 * interleaves single messages of different connections, which mixes up unnamed statements under
 * concurrency (electric-sql/pglite#1046). Here a connection owns the backend from its first
 * message until PGlite answers ReadyForQuery with status idle (`Z` + `I`), i.e. outside any
 * transaction and with its exchange complete; other connections wait their turn.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

interface Session {
  id: number;
  socket: net.Socket;
  buffer: Buffer;
  queue: Buffer[];
  startup: boolean;
  closed: boolean;
}

/** The transaction status of the last ReadyForQuery in a backend reply, if it has one. */
export function lastReadyStatus(out: Buffer): number | undefined {
  let status: number | undefined;
  let i = 0;
  while (i + 5 <= out.length) {
    const type = out[i];
    const len = out.readInt32BE(i + 1);
    if (len < 4) break;
    if (type === READY_FOR_QUERY && len === 5 && i + 6 <= out.length) status = out[i + 5];
    i += 1 + len;
  }
  return status;
}

/** Splits complete frontend messages off the session buffer; answers SSL/GSS requests itself. */
function takeMessages(s: Session): Buffer[] {
  const messages: Buffer[] = [];
  for (;;) {
    if (!s.startup) {
      if (s.buffer.length < 8) break;
      const len = s.buffer.readInt32BE(0);
      const code = s.buffer.readInt32BE(4);
      if (s.buffer.length < len) break;
      const msg = s.buffer.subarray(0, len);
      s.buffer = s.buffer.subarray(len);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        s.socket.write('N');
        continue;
      }
      if (code === CANCEL_REQUEST) {
        s.socket.end();
        break;
      }
      s.startup = true;
      messages.push(Buffer.from(msg));
      continue;
    }
    if (s.buffer.length < 5) break;
    const len = s.buffer.readInt32BE(1);
    if (s.buffer.length < 1 + len) break;
    messages.push(Buffer.from(s.buffer.subarray(0, 1 + len)));
    s.buffer = s.buffer.subarray(1 + len);
  }
  return messages;
}

export class PgliteServer {
  private server: net.Server | undefined;
  private readonly sessions = new Set<Session>();
  private owner: Session | undefined;
  private readonly waiting: Session[] = [];
  private pumping = false;
  private nextId = 1;

  constructor(private readonly db: PGlite) {}

  async listen(port: number, host: string): Promise<{ host: string; port: number }> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    return { host, port: typeof addr === 'object' && addr ? addr.port : port };
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const s: Session = {
      id: this.nextId++,
      socket,
      buffer: Buffer.alloc(0),
      queue: [],
      startup: false,
      closed: false,
    };
    this.sessions.add(s);
    socket.on('data', (chunk: Buffer) => {
      s.buffer = s.buffer.length ? Buffer.concat([s.buffer, chunk]) : chunk;
      for (const msg of takeMessages(s)) {
        if (msg[0] === TERMINATE && s.startup && msg.length === 5) {
          socket.end();
          continue;
        }
        s.queue.push(msg);
      }
      this.schedule(s);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      s.closed = true;
      s.queue.length = 0;
      this.sessions.delete(s);
      const i = this.waiting.indexOf(s);
      if (i >= 0) this.waiting.splice(i, 1);
      void this.pump();
    });
  }

  private schedule(s: Session): void {
    if (s !== this.owner && s.queue.length > 0 && !this.waiting.includes(s)) this.waiting.push(s);
    void this.pump();
  }

  /** Runs queued messages, keeping the backend with its owner until the owner's turn is over. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.owner?.closed) await this.releaseAbandoned();
        let s = this.owner;
        if (s && s.queue.length === 0) break; // the owner is mid-exchange: wait for its next message
        if (!s) {
          s = this.waiting.shift();
          if (!s) break;
          if (s.closed || s.queue.length === 0) continue;
          this.owner = s;
        }
        const msg = s.queue.shift() as Buffer;
        const out = await this.exec(msg);
        if (!s.closed && out.length > 0) s.socket.write(out);
        if (lastReadyStatus(out) === IDLE) {
          this.owner = undefined;
          if (s.queue.length > 0 && !s.closed) this.waiting.push(s); // others get a turn first
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async exec(msg: Buffer): Promise<Buffer> {
    const chunks: Buffer[] = [];
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(new Uint8Array(msg), {
          // copy now: the view points into WASM memory that the next chunk overwrites
          onRawData: (d) => chunks.push(Buffer.from(d)),
        }),
      );
    } catch {
      // PGlite reports protocol-level errors in the stream itself; a throw here means the
      // message could not be run at all, and the client sees it as a dropped reply.
    }
    return Buffer.concat(chunks);
  }

  /** The owner went away mid-exchange or mid-transaction: end both so the next session starts clean. */
  private async releaseAbandoned(): Promise<void> {
    await this.exec(SYNC);
    if (this.db.isInTransaction()) {
      try {
        await this.db.exec('ROLLBACK');
      } catch {
        // nothing to roll back
      }
    }
    this.owner = undefined;
  }
}
