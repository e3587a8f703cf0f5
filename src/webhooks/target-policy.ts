// Where webhooks may be sent. Loopback, private, shared and reserved addresses are refused
// unless private targets are allowed by configuration (tests, local development); link-local
// and cloud metadata addresses are refused always. Checked when an endpoint is saved and
// again on every connection (DNS can change between the two), on the address actually dialled.
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, cloud metadata (169.254.169.254)
ALWAYS_REFUSED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_REFUSED.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

export type AddressVerdict = 'public' | 'private' | 'forbidden';

/** How an IP address may be used as a webhook target. IPv4-mapped IPv6 is judged as IPv4. */
export function classifyAddress(address: string): AddressVerdict {
  const family = isIP(address);
  if (family === 0) return 'forbidden';
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  if (mapped) return classifyAddress(mapped);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_REFUSED.check(address, type)) return 'forbidden';
  return PRIVATE.check(address, type) ? 'private' : 'public';
}

export function addressAllowed(address: string, allowPrivate: boolean): boolean {
  const verdict = classifyAddress(address);
  return verdict === 'public' || (verdict === 'private' && allowPrivate);
}

const stripBrackets = (host: string) => (host.startsWith('[') ? host.slice(1, -1) : host);

/**
 * Why `url` cannot be a webhook target, or null when it can. The WHATWG URL parser has
 * already turned decimal, octal and hex IPv4 forms (`http://2130706433/`) into dotted ones.
 */
export async function targetProblem(url: string, allowPrivate: boolean): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowPrivate)) return 'must be an https:// URL';
  if (parsed.username || parsed.password) return 'must not contain credentials';
  const host = stripBrackets(parsed.hostname);
  const addresses = isIP(host) ? [host] : await resolveAll(host).catch(() => null);
  if (!addresses || addresses.length === 0) return `host '${host}' does not resolve`;
  const refused = addresses.find((address) => !addressAllowed(address, allowPrivate));
  return refused ? `resolves to ${refused}, a private or reserved address` : null;
}

/** Saving an endpoint waits at most this long for DNS (it runs while a transaction is open). */
const RESOLVE_TIMEOUT_MS = 3_000;

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('DNS timeout')), RESOLVE_TIMEOUT_MS);
    dnsLookup(host, { all: true, verbatim: true }, (error, found: LookupAddress[]) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(found.map((entry) => entry.address));
    });
  });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses to dial a refused address, whatever DNS says now. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, []);
      const allowed = found.filter((entry) => addressAllowed(entry.address, allowPrivate));
      if (allowed.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private or reserved address`), {
          code: 'ETARGETREFUSED',
        });
        return callback(refused, []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
