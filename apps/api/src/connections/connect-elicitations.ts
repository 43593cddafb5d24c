import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Who an MCP URL elicitation to connect a provider was made for. */
export interface ConnectElicitation {
  tenantId: string;
  userId: string;
  providerId: string;
  clientId: string;
}

const TTL_SECONDS = 3600;

/**
 * The connect links Gatehouse gives MCP clients carry an elicitation id (random, no secret by itself): the connect
 * page looks it up and completes only for the browser user the MCP token belongs to.
 */
export class ConnectElicitations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:connect-elicitation:${id}`;
  }

  async create(elicitation: ConnectElicitation): Promise<string> {
    const id = randomBytes(16).toString('base64url');
    await this.redis.set(this.key(id), JSON.stringify(elicitation), 'EX', TTL_SECONDS);
    return id;
  }

  async find(id: string): Promise<ConnectElicitation | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as ConnectElicitation) : undefined;
  }
}
