// Where webhooks may be sent. Loopback, private, shared and reserved addresses are refused
// unless private targets are allowed by configuration (tests, local development); link-local
// and cloud metadata addresses are refused always. Checked when an endpoint is saved and
// again on every connection (DNS can change between the two), on the address actually dialled.
// IPv6 addresses that carry an IPv4 address (mapped, SIIT, compatible, NAT64, 6to4, Teredo)
// are also judged by that IPv4 address, the worse verdict winning (issue 26, defect 3).
import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

const cidrs = (list: string[]): Cidr[] => list.map((cidr) => ipaddr.parseCIDR(cidr));
const inAny = (address: Address, list: Cidr[]) =>
  list.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));

const ALWAYS_REFUSED = cidrs([
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  'fe80::/10',
  'fd00:ec2::254/128', // AWS metadata over IPv6
]);

const PRIVATE = cidrs([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fec0::/10', // deprecated site-local
  'ff00::/8',
  '2001:db8::/32',
  '64:ff9b:1::/48', // NAT64 for local use (RFC 8215), not globally reachable
]);

export type AddressVerdict = 'public' | 'private' | 'forbidden';

const SEVERITY: Record<AddressVerdict, number> = { public: 0, private: 1, forbidden: 2 };
const worst = (verdicts: AddressVerdict[]) =>
  verdicts.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'public' as AddressVerdict);

const v4 = (bytes: number[], at: number[]) => new ipaddr.IPv4(at.map((index) => bytes[index]));

const TRANSITION_RANGES = {
  mapped: '::ffff:0:0/96',
  siit: '::ffff:0:0:0/96',
  compatible: '::/96',
  unspecifiedOrLoopback: '::/127',
  nat64: '64:ff9b::/96',
  nat64Local: '64:ff9b:1::/48',
  sixToFour: '2002::/16',
  teredo: '2001::/32',
};
const TRANSITION = Object.fromEntries(
  Object.entries(TRANSITION_RANGES).map(([name, cidr]) => [name, ipaddr.IPv6.parseCIDR(cidr)]),
) as Record<keyof typeof TRANSITION_RANGES, [ipaddr.IPv6, number]>;

/**
 * The IPv4 addresses an IPv6 address may lead to: the one a translator, tunnel or the host's own
 * stack would dial instead. RFC 6052 places the IPv4 address after the prefix, skipping byte 8.
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = address.toByteArray();
  const within = (range: keyof typeof TRANSITION) => address.match(TRANSITION[range]);
  const low32 = v4(bytes, [12, 13, 14, 15]);
  if (within('mapped')) return [low32]; // IPv4-mapped ::ffff:0:0/96
  if (within('siit')) return [low32]; // SIIT ::ffff:0:0:0/96 (RFC 6145)
  // IPv4-compatible (deprecated); :: and ::1 are the unspecified and loopback addresses themselves.
  if (within('compatible')) return within('unspecifiedOrLoopback') ? [] : [low32]; // ::/96
  if (within('nat64')) return [low32]; // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
  // NAT64 local use 64:ff9b:1::/48 (RFC 8215): the translator's prefix may be a /48, /56, /64 or
  // /96 inside it, each placing the IPv4 address elsewhere. Every reading counts, the worst wins.
  if (within('nat64Local'))
    return [v4(bytes, [6, 7, 9, 10]), v4(bytes, [7, 9, 10, 11]), v4(bytes, [9, 10, 11, 12]), low32];
  if (within('sixToFour')) return [v4(bytes, [2, 3, 4, 5])]; // 6to4 2002::/16 (RFC 3056)
  if (within('teredo')) {
    // Teredo 2001::/32 (RFC 4380): the server's address, and the client's with every bit inverted.
    const client = new ipaddr.IPv4(bytes.slice(12, 16).map((byte) => byte ^ 0xff));
    return [v4(bytes, [4, 5, 6, 7]), client];
  }
  return [];
}

function classifyParsed(address: Address): AddressVerdict {
  if (inAny(address, ALWAYS_REFUSED)) return 'forbidden';
  return inAny(address, PRIVATE) ? 'private' : 'public';
}

/** How an IP address may be used as a webhook target. */
export function classifyAddress(address: string): AddressVerdict {
  if (isIP(address) === 0) return 'forbidden';
  let parsed: Address;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'forbidden';
  }
  const embedded = parsed.kind() === 'ipv6' ? embeddedIPv4(parsed as ipaddr.IPv6) : [];
  return worst([parsed, ...embedded].map(classifyParsed));
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
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowPrivate))
    return parsed.protocol === 'http:' ? `must be an https:// URL${DEVELOPMENT_HINT}` : 'must be an https:// URL';
  if (parsed.username || parsed.password) return 'must not contain credentials';
  const host = stripBrackets(parsed.hostname);
  const addresses = isIP(host) ? [host] : await resolveAll(host).catch(() => null);
  if (!addresses || addresses.length === 0) return `host '${host}' does not resolve`;
  const refused = addresses.find((address) => !addressAllowed(address, allowPrivate));
  if (!refused) return null;
  // Say how to allow it only where the switch would: link-local and metadata stay refused.
  const hint = !allowPrivate && addressAllowed(refused, true) ? DEVELOPMENT_HINT : '';
  return `resolves to ${refused}, a private or reserved address${hint}`;
}

/** How a developer reaches a receiver on their own machine. */
const DEVELOPMENT_HINT =
  ' (for development, a server started with FIELDLINE_WEBHOOK_ALLOW_PRIVATE=1 allows http:// and private addresses)';

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
