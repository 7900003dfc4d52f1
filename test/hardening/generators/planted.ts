import fc from 'fast-check';
import { foreignHost, word, type Identity } from './identity.js';

// Identifying values in the forms they take in real error messages, stack traces and
// config values. Each Planted carries the text to embed and the substrings that must
// not survive anonymization (compared case-insensitively).

export interface Planted {
  kind: string;
  text: string;
  secrets: string[];
}

const planted = (kind: string, text: string, ...secrets: string[]): Planted => ({ kind, text, secrets });

const byte = fc.integer({ min: 0, max: 255 });
const hex4 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const bytes = (min: number, max: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

// ---- network -----------------------------------------------------------------------

// Not loopback, not 0.x: those are the same on every machine.
const ipv4 = fc
  .tuple(
    fc.integer({ min: 1, max: 223 }).filter((n) => n !== 127),
    byte,
    byte,
    fc.integer({ min: 1, max: 254 }),
  )
  .map((p) => p.join('.'));

const ipv6Full = fc.array(hex4, { minLength: 8, maxLength: 8 }).map((g) => g.join(':'));
const ipv6 = fc.oneof(
  ipv6Full,
  ipv6Full.map((a) => a.toUpperCase()),
  fc.tuple(hex4, hex4, hex4).map(([a, b, c]) => `2001:db8::${a}:${b}:${c}`),
  fc.tuple(hex4, hex4).map(([a, b]) => `fe80::${a}:${b}`),
  ipv4.map((v4) => `::ffff:${v4}`),
);

export const network: fc.Arbitrary<Planted> = fc.oneof(
  ipv4.map((ip) => planted('ipv4', ip, ip)),
  fc.tuple(ipv4, fc.integer({ min: 1, max: 65535 })).map(([ip, port]) => planted('ipv4:port', `${ip}:${port}`, ip)),
  ipv6.map((ip) => planted('ipv6', ip, ip)),
  fc.tuple(ipv6, fc.integer({ min: 1, max: 65535 })).map(([ip, port]) => planted('[ipv6]:port', `[${ip}]:${port}`, ip)),
  fc
    .tuple(hex4, hex4, fc.constantFrom('eth0', 'en0', 'wlan0'))
    .map(([a, b, zone]) => planted('ipv6%zone', `fe80::${a}:${b}%${zone}`, `fe80::${a}:${b}`)),
  fc.tuple(fc.array(byte, { minLength: 6, maxLength: 6 }), fc.constantFrom(':', '-', '.'), fc.boolean()).map(([b, sep, upper]) => {
    const pairs = b.map((n) => n.toString(16).padStart(2, '0'));
    let mac = sep === '.' ? [0, 2, 4].map((i) => `${pairs[i] ?? '00'}${pairs[i + 1] ?? '00'}`).join('.') : pairs.join(sep);
    if (upper) mac = mac.toUpperCase();
    return planted('mac', mac, mac);
  }),
);

// ---- people and services ---------------------------------------------------------

export const contact = (id: Identity): fc.Arbitrary<Planted> =>
  fc.oneof(
    fc
      .tuple(
        foreignHost.filter((h) => /\.(com|de|uk)$/.test(h)),
        fc.constantFrom('', '+alerts'),
      )
      .map(([host, tag]) => planted('email', `${id.user}${tag}@${host}`, `${id.user}${tag}@`, host)),
    fc.tuple(word, word).map(([a, b]) => planted('email', `${a}.${b}@gmail.com`, `${a}.${b}`)),
  );

const query = fc.tuple(word, word).map(([k, v]) => ({ text: `${k}=${v}`, secret: v }));

export const url = (id: Identity): fc.Arbitrary<Planted> =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom('https', 'http', 'postgres', 'redis', 'mongodb+srv', 'amqp', 'ftp'), word, foreignHost, query)
      .map(([scheme, pw, host, q]) =>
        planted('url+credentials', `${scheme}://${id.user}:${pw}@${host}/v1/items?${q.text}`, `${id.user}:`, pw, host, q.secret),
      ),
    fc
      .tuple(foreignHost, word, query)
      .map(([host, path, q]) =>
        planted('url+query', `https://${host}/${path}?${q.text}&email=${id.user}%40example.com`, host, path, q.secret, id.user),
      ),
    fc
      .tuple(ipv4, fc.integer({ min: 1, max: 65535 }), word)
      .map(([ip, port, path]) => planted('url+ip', `http://${ip}:${port}/${path}/`, ip, path)),
  );

/**
 * A URL whose host is an IPv6 literal: the URL pass does not start at `[`, so the
 * path after `]:port` is kept (pending-privacy-leaks.test.ts).
 */
export const urlWithIpv6Host: fc.Arbitrary<Planted> = fc
  .tuple(ipv6, word, fc.constantFrom('http', 'https', 'ws'))
  .map(([ip, path, scheme]) => planted('url+ipv6', `${scheme}://[${ip}]:8080/${path}/items`, ip, path));

// ---- tokens ----------------------------------------------------------------------

const b64url = (b: Buffer): string => b.toString('base64url');

export const token: fc.Arbitrary<Planted> = fc.oneof(
  fc.uuid().map((u) => planted('uuid', u, u)),
  fc.uuid().map((u) => planted('uuid{}', `{${u.toUpperCase()}}`, u)),
  fc.tuple(bytes(12, 40), bytes(16, 64), bytes(16, 32)).map(([h, p, s]) => {
    const jwt = `eyJ${b64url(h)}.${b64url(p)}.${b64url(s)}`;
    return planted('jwt', jwt, jwt);
  }),
  bytes(8, 32).map((b) => planted('hex', b.toString('hex'), b.toString('hex'))),
  bytes(8, 32).map((b) => planted('HEX', b.toString('hex').toUpperCase(), b.toString('hex'))),
);

/**
 * Random base64 tokens. Kept apart from `token`: the scrubber recognises a base64 run
 * by its mix of upper case, lower case and digits, which a random token lacks now and
 * then (see pending-privacy-token.test.ts).
 */
export const base64Token: fc.Arbitrary<Planted> = fc
  .oneof(
    bytes(18, 48).map((b) => b.toString('base64')),
    bytes(18, 48).map((b) => b.toString('base64url')),
    bytes(18, 36).map((b) => `ghp_${b.toString('base64url')}`),
  )
  .map((t) => planted('base64', t, t));

// ---- paths ---------------------------------------------------------------------

const codeFile = fc.constantFrom('index.js', 'main.ts', 'app.asar', 'native.node', 'lib.dll', 'server.mjs');
const docName = fc.tuple(word, fc.constantFrom('xlsx', 'docx', 'pdf', 'txt', 'key', 'pem')).map(([w, ext]) => `${w}.${ext}`);

/** A path under `id`'s home: the user, the folder names and a document's name are all secrets. */
export const homePath = (id: Identity): fc.Arbitrary<Planted> =>
  fc
    .tuple(
      fc.array(word, { minLength: 0, maxLength: 3 }),
      fc.oneof(codeFile, docName),
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 8 }),
    )
    .map(([dirs, file, line, form]) => {
      const isDoc = !/\.(js|ts|mjs|asar|node|dll)$/.test(file);
      const secrets = [id.user, ...dirs, ...(isDoc ? [file] : [])];
      const rel = [...dirs, file];
      const posix = `${id.home.replace(/^C:\\/, 'C:/').split('\\').join('/')}/${rel.join('/')}`;
      const win = `C:\\Users\\${id.user}\\${rel.join('\\')}`;
      const lineCol = isDoc ? '' : `:${line}:${(line % 80) + 1}`;
      switch (form) {
        case 0:
          return planted('path', `${posix}${lineCol}`, ...secrets);
        case 1:
          return planted('path/home', `/home/${id.user}/${rel.join('/')}${lineCol}`, ...secrets);
        case 2:
          return planted('path/Users', `/Users/${id.user}/${rel.join('/')}${lineCol}`, ...secrets);
        case 3:
          return planted('path\\win', `${win}${lineCol}`, ...secrets);
        case 4:
          return planted('path\\\\?\\', `\\\\?\\${win}`, ...secrets);
        case 5:
          return planted('file:///home', `file:///home/${id.user}/${rel.join('/')}${lineCol}`, ...secrets);
        case 6:
          return planted('file:///C:', `file:///C:/Users/${id.user}/${rel.join('/')}${lineCol}`, ...secrets);
        case 7:
          return planted('path/win-slash', `C:/Users/${id.user}/${rel.join('/')}${lineCol}`, ...secrets);
        default:
          return planted('path/home-dir', `/home/${id.user}`, id.user);
      }
    });

/** This machine's names on their own, as they show up in messages. */
export const machineName = (id: Identity): fc.Arbitrary<Planted> =>
  fc.oneof(
    fc.constant(planted('host', id.host, id.host, id.user)),
    fc.constant(planted('HOST', id.host.toUpperCase(), id.host, id.user)),
    fc.constant(planted('user', id.user, id.user)),
    foreignHost.map((h) => planted('fqdn', h, h)),
    word.map((w) => planted('ENOTFOUND', `getaddrinfo ENOTFOUND ${w}`, w)),
  );

/**
 * Every kind above except the base64 tokens; `machine: false` leaves out this
 * machine's bare host and user names (known only from the scrub context).
 */
export const anySecret = (id: Identity, machine = true): fc.Arbitrary<Planted> =>
  machine
    ? fc.oneof(network, contact(id), url(id), token, homePath(id), homePath(id), machineName(id))
    : fc.oneof(network, contact(id), url(id), token, homePath(id), homePath(id));
