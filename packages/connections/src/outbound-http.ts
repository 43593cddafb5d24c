import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { HttpRequest } from '@gatehouse/providers';
import { toThirdParty } from '@gatehouse/telemetry';
import { Agent, request } from 'undici';
import { ConnectionsError } from './connections.errors.js';
import { deadline } from './deadline.js';

/**
 * Addresses an outbound request to a provider must never reach: private, shared, link-local (cloud metadata at
 * 169.254.169.254), documentation, benchmarking, multicast and reserved ranges, IPv4 and IPv6 (RFC 6890 and the
 * IANA special-purpose registries). Loopback is listed separately: development allows it for the demo provider.
 */
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  SPECIAL_USE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  SPECIAL_USE.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why `address` may not be reached, or undefined when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const { address: ip, family } = unmapped(address);
  if (isIP(ip) === 0) return 'not an IP address';
  if (LOOPBACK.check(ip, family)) return allowLoopback ? undefined : 'a loopback address';
  if (family === 'ipv6' && /^::ffff:/i.test(ip)) return 'an IPv4-mapped address';
  if (SPECIAL_USE.check(ip, family)) return 'a private or special-use address';
  return undefined;
}

export interface OutboundHttpOptions {
  /** Development and tests: allow loopback (the demo provider, local fakes). Never in production. */
  allowLoopback: boolean;
  /** Whole-request deadline, connect to last body byte. */
  timeoutMs?: number;
  /** Response bodies larger than this are refused (a token or user-info answer is a few KiB). */
  maxResponseBytes?: number;
}

export interface SendOptions {
  /** This request's own size limit, instead of the client's (a tool's list answer may be megabytes). */
  maxResponseBytes?: number;
  /** This request's own deadline for its answer, instead of the client's (a tool has a deadline of its own). */
  timeoutMs?: number;
}

/** Failures before anything was sent: the request cannot have taken effect. */
const NOT_SENT = new Set([
  'EGATEHOUSEREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when it was empty or not JSON. */
  json: unknown;
}

/**
 * The HTTP client for requests to providers (token, refresh, revocation, user info). Every connection is checked
 * where it is made: the host's resolved addresses — all of them — must be public (loopback only when allowed), so a
 * DNS name that points inside the network, or re-points there later, is refused. Redirects are not followed, the
 * request has a deadline and the answer a size limit. Errors never carry the request (it may hold secrets).
 */
export class OutboundHttp {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: OutboundHttpOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
    const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
      dnsLookup(hostname, { all: true, family: lookupOptions.family ?? 0 }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = addresses.map((entry) => refusedAddress(entry.address, this.options.allowLoopback));
        const reason = refused.find((entry) => entry !== undefined);
        if (reason !== undefined || addresses.length === 0) {
          const refusal = Object.assign(new Error(`${hostname} resolves to ${reason ?? 'nothing'}`), {
            code: 'EGATEHOUSEREFUSED',
          });
          return callback(refusal, '', 0);
        }
        if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    this.agent = new Agent({
      connect: { lookup: guardedLookup, timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /**
   * Sends `req`; throws `provider_unreachable` for refused destinations, network errors and timeouts, and
   * `response_too_large` for a body over the limit.
   */
  async send(req: HttpRequest, signal?: AbortSignal, options: SendOptions = {}): Promise<OutboundResponse> {
    const maxResponseBytes = options.maxResponseBytes ?? this.maxResponseBytes;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const url = new URL(req.url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.options.allowLoopback)) {
      throw new ConnectionsError('provider_unreachable', `Refused to call ${url.origin}: https is required.`);
    }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0) {
      const reason = refusedAddress(literal, this.options.allowLoopback);
      if (reason !== undefined) throw new ConnectionsError('provider_unreachable', `Refused to call ${reason}.`);
    } else if (url.protocol === 'http:' && !['localhost', '127.0.0.1'].includes(literal)) {
      // Plain http only ever to this machine (the demo provider in development).
      throw new ConnectionsError('provider_unreachable', `Refused to call ${url.origin}: https is required.`);
    }
    const limit = deadline(timeoutMs, signal);
    try {
      // A provider is a third party: the call's span is traced here, but no trace context is sent to it.
      const response = await toThirdParty(() =>
        request(url, {
          method: req.method,
          headers: req.headers,
          ...(req.body === undefined ? {} : { body: req.body }),
          dispatcher: this.agent,
          signal: limit.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        }),
      );
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size > maxResponseBytes) {
          response.body.destroy();
          throw new ConnectionsError(
            'response_too_large',
            `${url.origin} answered with more than ${formatBytes(maxResponseBytes)}.`,
          );
        }
        chunks.push(bytes);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Some providers answer errors as text or form-encoding; callers judge by status.
        json = text.includes('=') && !text.includes('<') ? Object.fromEntries(new URLSearchParams(text)) : undefined;
      }
      return { status: response.statusCode, headers: response.headers, json };
    } catch (error) {
      if (error instanceof ConnectionsError) throw error;
      const code = (error as { code?: unknown }).code;
      const why =
        code === 'EGATEHOUSEREFUSED'
          ? 'it resolves to a private or special-use address'
          : typeof code === 'string'
            ? code
            : error instanceof Error
              ? error.name
              : 'network error';
      throw new ConnectionsError('provider_unreachable', `Could not reach ${url.origin}: ${why}.`, {
        maybeSent: !(typeof code === 'string' && NOT_SENT.has(code)),
      });
    } finally {
      limit.release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${bytes} bytes`;
}
