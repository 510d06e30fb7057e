import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../errors.js';

/** Names accepted in a trusted-proxy list, as Express `trust proxy` and Fastify `trustProxy` accept them. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** An IP as written by a socket or a proxy (`::ffff:1.2.3.4`, `[::1]:443`, `1.2.3.4:80`, `fe80::1%eth0`), canonical; undefined when not an IP. */
export function normalizeIp(raw: string): string | undefined {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1] ?? '';
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (mapped) s = mapped[1] ?? '';
  return isIP(s) ? s : undefined;
}

/** The key a client is counted under: its IPv4 address, or its IPv6 /64 (one subscriber's network, not one of its many addresses). */
export function addressKey(ip: string): string {
  if (isIP(ip) !== 6 || ip.includes('.')) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function trustList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED[e.trim().toLowerCase()] ?? [e.trim()])) {
    const slash = entry.indexOf('/');
    const ip = normalizeIp(slash === -1 ? entry : entry.slice(0, slash));
    const family = ip === undefined ? 0 : isIP(ip);
    const prefix = slash === -1 ? undefined : Number(entry.slice(slash + 1));
    const max = family === 4 ? 32 : 128;
    if (!ip || (prefix !== undefined && (!/^\d+$/.test(entry.slice(slash + 1)) || prefix < 1 || prefix > max))) {
      throw new AppError('config', `Trusted proxy "${entry}" is not an IP address, a CIDR range or "loopback".`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, prefix, type);
  }
  return list;
}

/**
 * The address of the client behind a request. When the socket peer is a trusted proxy, it is the right-most
 * X-Forwarded-For entry that is not itself trusted (each trusted proxy appends the address it received from;
 * entries to the left of that one were written by the client and prove nothing). When every entry is trusted,
 * the left-most. A malformed entry ends the walk at the trusted hop that passed it on. From any other peer,
 * X-Forwarded-For is ignored: the client is the socket address.
 */
export function createClientAddress(opts: { trustedProxies?: readonly string[] | undefined }): (req: IncomingMessage) => string {
  const list = trustList(opts.trustedProxies ?? []);
  const trusted = (ip: string) => list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
  return (req) => {
    const peer = normalizeIp(req.socket.remoteAddress ?? '');
    if (!peer) return 'unknown';
    if (!trusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const ip = normalizeIp(hops[i] ?? '');
      if (!ip) return client;
      client = ip;
      if (!trusted(ip)) return ip;
    }
    return client;
  };
}
