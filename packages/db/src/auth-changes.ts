import pg from 'pg';

/** The channel migration `auth_change_notifications` announces access-ending changes on. */
export const AUTH_CHANGE_CHANNEL = 'gatehouse_auth_change';

let generation = 0;

/**
 * This process's count of changes that may end someone's access (a token or sign-in session updated or deleted,
 * a membership changed), whether made here or announced by PostgreSQL. Whatever was derived from access data under
 * one value is stale under any other.
 */
export function authGeneration(): number {
  return generation;
}

/**
 * Marks such a change made by this process: called by the repositories that make them, so a request that follows
 * the change in this process never sees what it ended, without waiting for the notification of its commit.
 */
export function noteAuthChange(): void {
  generation += 1;
}

/**
 * Runs `write`, one statement that may end someone's access, noting the change before it (a read that starts
 * meanwhile is not trusted) and again once it has finished (a read that started after the first note but before the
 * write took effect may hold the old row: it is not kept either).
 */
export async function changingAuth<T>(write: () => Promise<T>): Promise<T> {
  noteAuthChange();
  try {
    return await write();
  } finally {
    noteAuthChange();
  }
}

/**
 * Runs a transaction; if a change was noted while it ran, notes one more once it has ended. Other connections see a
 * transaction's writes only when it commits, so a read that raced them between the note and the commit may hold
 * what they ended: the note after the commit keeps such a read from being remembered.
 */
export async function afterTransactionNotingAuthChanges<T>(transaction: () => Promise<T>): Promise<T> {
  const before = generation;
  try {
    return await transaction();
  } finally {
    if (generation !== before) noteAuthChange();
  }
}

export interface AuthChangeListenerOptions {
  url: string;
  applicationName?: string;
  /** Wait before reconnecting after the connection is lost (doubles up to 30 s). */
  retryMs?: number;
  onError?: (error: Error) => void;
}

/**
 * LISTENs on `gatehouse_auth_change` on a connection of its own and counts every notification into
 * `authGeneration()`. `live` is true only while it is listening: a cache of access data must not be used otherwise,
 * since a change committed meanwhile would go unannounced (losing and regaining the connection both count as a
 * change). Needs a direct connection to PostgreSQL (a transaction-pooling proxy does not carry LISTEN).
 */
export class AuthChangeListener {
  private client: pg.Client | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private delayMs: number;

  constructor(private readonly options: AuthChangeListenerOptions) {
    this.delayMs = options.retryMs ?? 500;
  }

  get live(): boolean {
    return this.listening;
  }

  /** Resolves once listening (or once the first attempt failed: it keeps trying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'gatehouse-auth-changes',
      // A connection that dies silently would stop the notifications without an error: probe it.
      keepAlive: true,
    });
    this.client = client;
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listening = false;
      noteAuthChange();
      if (error) this.options.onError?.(error);
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.retry = setTimeout(() => void this.connect(), this.delayMs);
      this.retry.unref();
      this.delayMs = Math.min(this.delayMs * 2, 30_000);
    };
    client.on('notification', (message) => {
      if (message.channel === AUTH_CHANGE_CHANNEL) noteAuthChange();
    });
    client.on('error', (error) => lost(error));
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANGE_CHANNEL}`);
      if (this.client !== client) return;
      // Whatever changed while nobody listened is unknown: count it as a change.
      noteAuthChange();
      this.listening = true;
      this.delayMs = this.options.retryMs ?? 500;
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.listening = false;
    const client = this.client;
    this.client = undefined;
    noteAuthChange();
    await client?.end().catch(() => undefined);
  }
}
