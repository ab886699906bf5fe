import type { Socket } from 'node:net';
import WebSocket from 'ws';

// Test code reads loosely typed JSON replies.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

/**
 * Opens a `ws` connection with an optional bearer token; rejects on a refused upgrade. `adopt`
 * runs inside the 'open' event, so a listener it adds cannot miss a message sent right away.
 */
export function openSocket(url: string, token?: string): Promise<WebSocket>;
export function openSocket<T>(url: string, token: string | undefined, adopt: (socket: WebSocket) => T): Promise<T>;
export function openSocket(
  url: string,
  token?: string,
  adopt: (socket: WebSocket) => unknown = (socket) => socket,
): Promise<unknown> {
  const socket = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(adopt(socket)));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** A real `ws` client that records every message and lets a test wait for the next one it cares about. */
export class TestClient {
  readonly received: Message[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Message);
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static connect(url: string, token?: string): Promise<TestClient> {
    return openSocket(url, token, (socket) => new TestClient(socket));
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * Sends the messages in one write, so that the service reads them in one go, as it does frames
   * a busy producer sends back to back: nothing it does between two of them can wait on a timer or I/O.
   */
  sendTogether(...messages: unknown[]): void {
    // ws keeps its TCP socket private; corked, the frames leave together when uncorked.
    const tcp = (this.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const message of messages) this.send(message);
    tcp.uncork();
  }

  /** The next message (after those already taken) matching `match`; skipped ones stay in `received`. */
  next(match: (m: Message) => boolean = () => true, timeoutMs = 5000): Promise<Message> {
    return this.waitFor(match, timeoutMs, true);
  }

  /** A message received so far or later matching `match`, wherever it came; takes nothing. */
  seen(match: (m: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return this.waitFor(match, timeoutMs, false);
  }

  private async waitFor(match: (m: Message) => boolean, timeoutMs: number, take: boolean): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = take ? this.cursor : 0; i < this.received.length; i++) {
        const m = this.received[i]!;
        if (match(m)) {
          if (take) this.cursor = i + 1;
          return m;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching message within ${timeoutMs} ms; received: ${JSON.stringify(this.received.slice(-5))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends and waits for the ack or error that echoes `id`. */
  async request(message: Message & { id: string }): Promise<Message> {
    this.send(message);
    return this.next(
      (m) =>
        m.id === message.id &&
        (m.type === 'ack' || m.type === 'error' || m.type === 'subscribed' || m.type === 'unsubscribed'),
    );
  }

  cues(callId?: string): Message[] {
    return this.received
      .filter((m) => m.type === 'cue' && (callId === undefined || m.cue.callId === callId))
      .map((m) => m.cue as Message);
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
