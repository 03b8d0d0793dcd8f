// The load generator's HTTP/1.1 client, kept minimal as wrk's is: one kept-alive socket per connection, one request
// in flight on it, each request written in one piece, each answer read by its status line and Content-Length (both
// servers of figure 5 send one; anything else is an error). It costs the machine about a third of the CPU per
// request of a general client (undici measured ~30 us against ~11 us here), and the load generator shares the
// 2 cores with the server it measures: the lighter it is, the more the figure is the server's rather than its own.
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

export class RawHttpConnection {
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends one request (head and body, as HTTP/1.1 text) and resolves with the answer's status once it is read. */
  async request(text: string): Promise<number> {
    if (this.waiting) throw new Error('raw http: one request at a time per connection');
    const socket = this.socket ?? (await this.connect());
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(text);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): Promise<net.Socket> {
    this.connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.once('error', reject);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', () => undefined); // reported through 'close'
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.connecting = undefined;
        this.buffered = Buffer.alloc(0);
        this.fail(new Error('raw http: connection closed'));
      });
    });
    return this.connecting;
  }

  private fail(err: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headEnd = this.buffered.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headEnd);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!head.startsWith('HTTP/1.1 ') || !Number.isInteger(status) || !length) {
      this.fail(new Error(`raw http: cannot read this answer: ${JSON.stringify(head.slice(0, 80))}`));
      this.close();
      return;
    }
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (this.buffered.length < end) return;
    // One request in flight: whatever follows this answer is not ours.
    this.buffered = Buffer.alloc(0);
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(status);
  }
}

/** The text of one POST with a JSON body. */
export function postText(o: { host: string; path: string; headers: Record<string, string>; body: string }): string {
  const headers = Object.entries(o.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `POST ${o.path} HTTP/1.1\r\nhost: ${o.host}\r\n${headers}content-length: ${Buffer.byteLength(o.body)}\r\n\r\n` +
    o.body
  );
}
