import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Who a per-address budget counts: the IPv4 address, or the /64 prefix of an IPv6 address — one subscriber usually
 * holds a whole /64, so counting single IPv6 addresses would be no limit at all.
 */
export function clientAddressKey(ip: string): string {
  const address = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = (
    address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left
  ).map((group) => group.replace(/^0+(?=.)/, ''));
  // An IPv4 client written as IPv4-mapped IPv6 in hex (`::ffff:c000:201`) is that IPv4 client.
  if (groups.length === 8 && groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    const [high, low] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/**
 * An abuse budget per client address, counted in Redis so every api instance shares it: open dynamic client
 * registration (per hour) and anonymous authorization requests (per minute) each have one.
 */
export class RequestBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, options: { prefix: string; name: string; points: number; durationSeconds: number }) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.prefix}:${options.name}`,
      points: options.points,
      duration: options.durationSeconds,
    });
  }

  /** Takes one request from the address's budget; the seconds to wait when it is spent, else undefined. */
  async take(ip: string): Promise<number | undefined> {
    try {
      await this.limiter.consume(clientAddressKey(ip));
      return undefined;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
}
