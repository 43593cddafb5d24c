import { randomBytes } from 'node:crypto';
import type { AuditLog } from '@gatehouse/audit';
import { ConnectionsError } from '@gatehouse/connections';
import { elicitationCompleteNotification } from '@gatehouse/mcp';
import type { Redis } from 'ioredis';
import { sessionAddress, type RedisNotificationHub } from '../mcp/redis-notification.hub.js';

/** Who an MCP URL elicitation to connect a provider was made for. */
export interface ConnectElicitation {
  tenantId: string;
  userId: string;
  providerId: string;
  clientId: string;
  /** The scopes the tool that asked needs (absent in links made before they were stored). */
  scopes?: string[] | undefined;
  /** The address (`sessionAddress`, never the id) of the MCP session that was sent the link, if it had one. */
  session?: string | undefined;
}

const TTL_SECONDS = 3600;
/** A link a connect flow started from lives at least this long: longer than the flow's state (at most 600 s). */
const FLOW_SECONDS = 660;

/**
 * The connect links Gatehouse gives MCP clients carry an elicitation id (random, no secret by itself): the connect
 * page looks it up and completes only for the browser user the MCP token belongs to. When the connect flow started
 * from such a link completes, the MCP session that got the link is told (`notifications/elicitation/complete`).
 */
export class ConnectElicitations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly notifications: Pick<RedisNotificationHub, 'sendToSession'>,
    private readonly audit: Pick<AuditLog, 'record'>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  private key(id: string): string {
    return `${this.prefix}:connect-elicitation:${id}`;
  }

  async create(elicitation: Omit<ConnectElicitation, 'session'> & { sessionId?: string | undefined }): Promise<string> {
    const { sessionId, ...who } = elicitation;
    const stored: ConnectElicitation = {
      ...who,
      ...(sessionId === undefined ? {} : { session: sessionAddress(sessionId) }),
    };
    const id = randomBytes(16).toString('base64url');
    await this.redis.set(this.key(id), JSON.stringify(stored), 'EX', TTL_SECONDS);
    return id;
  }

  async find(id: string): Promise<ConnectElicitation | undefined> {
    if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as ConnectElicitation) : undefined;
  }

  /**
   * The one check every use of a connect link makes (the api's HTML page and the console's REST calls): the
   * elicitation exists and was made for this person in this tenant (and for `providerId`, when the caller names
   * one). Someone else using it is audited (`connection.elicitation_refused`) and refused.
   */
  async verify(
    id: string,
    who: { tenantId: string; userId: string; providerId?: string | undefined },
    requestId: string | undefined,
  ): Promise<ConnectElicitation> {
    const elicitation = await this.find(id);
    if (!elicitation)
      throw new ConnectionsError(
        'elicitation_expired',
        'This connect link has expired. Ask your AI client to try again for a fresh link.',
      );
    if (
      elicitation.userId === who.userId &&
      elicitation.tenantId === who.tenantId &&
      (who.providerId === undefined || elicitation.providerId === who.providerId)
    )
      return elicitation;
    await this.audit.record({
      tenantId: elicitation.tenantId,
      actor: { type: 'user', id: who.userId },
      action: 'connection.elicitation_refused',
      target: { type: 'provider', id: elicitation.providerId },
      outcome: 'denied',
      requestId,
      metadata: {
        elicitationFor: elicitation.userId,
        providerId: who.providerId ?? elicitation.providerId,
        clientId: elicitation.clientId,
      },
    });
    throw new ConnectionsError(
      'elicitation_refused',
      'An AI client asked for this connection on behalf of another person. Sign in as that person to continue.',
    );
  }

  /**
   * A connect flow starts from the link: it is kept at least as long as the flow may take, so a flow started in the
   * link's last minutes still tells its MCP session when it completes.
   */
  async holdForFlow(id: string): Promise<void> {
    await this.redis.expire(this.key(id), FLOW_SECONDS, 'GT');
  }

  /**
   * Someone who cannot act in the link's organisation at all (not a member, or the organisation in its URL is not
   * theirs) opened it: refused like anyone else it was not made for, and audited in the link's own organisation.
   * Nothing is said about the link (the caller answers "not found" as for any organisation of others).
   */
  async refuseOutsider(id: string, userId: string, requestId: string | undefined): Promise<void> {
    // The refusal stands whatever happens here: a record that cannot be written is reported, never a 500 instead.
    await this.verify(id, { tenantId: '', userId }, requestId).catch((error: unknown) => {
      if (!(error instanceof ConnectionsError)) this.onError(error);
    });
  }

  /**
   * The connection the elicitation asked for now exists: tells its MCP session (best effort — the client may have
   * left, and the person's retried call works either way, so a failure is reported, never thrown). The link has
   * done its work: it is used up (opened again, it says it expired).
   */
  async completed(id: string, connection: { tenantId: string; userId: string; providerId: string }): Promise<void> {
    try {
      const elicitation = await this.find(id);
      if (
        !elicitation ||
        elicitation.tenantId !== connection.tenantId ||
        elicitation.userId !== connection.userId ||
        elicitation.providerId !== connection.providerId
      )
        return;
      await this.redis.del(this.key(id));
      if (elicitation.session)
        await this.notifications.sendToSession(elicitation.session, elicitationCompleteNotification(id));
    } catch (error) {
      this.onError(error);
    }
  }
}
