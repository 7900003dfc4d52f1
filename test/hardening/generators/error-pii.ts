import { fakerDE, fakerEN, fakerEN_GB, fakerES, fakerFR, fakerIT, fakerNL, fakerPL, fakerSV, fakerTR, type Faker } from '@faker-js/faker';
import fc from 'fast-check';

// Personal data in the shapes it takes inside error messages and stack traces, for the
// error-report privacy suite (test/anonymize/error-privacy.test.ts). Each Planted
// carries the text to embed and the secrets that must not survive; the person, the
// organisation and every value come from faker (seeded by fast-check, so a run is
// reproducible from its seed) in several locales.

export interface Planted {
  kind: string;
  text: string;
  /** Substrings that must not survive (compared case-insensitively). */
  secrets: string[];
}

const p = (kind: string, text: string, ...secrets: string[]): Planted => ({ kind, text, secrets: secrets.filter((s) => s !== '') });

const LOCALES: Faker[] = [fakerEN, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPL, fakerSV, fakerTR, fakerEN_GB];

/** A seeded faker of one of the locales: everything drawn from it depends on the fast-check seed only. */
const fakerArb: fc.Arbitrary<Faker> = fc
  .tuple(fc.integer({ min: 0, max: LOCALES.length - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
  .map(([l, seed]) => {
    const faker = LOCALES[l] as Faker;
    faker.seed(seed);
    return faker;
  });

/** Who the data belongs to. */
export interface Person {
  first: string;
  last: string;
  /** Account name as people pick them: jmueller, anna.schmidt, joerg_m. */
  account: string;
  company: string;
  faker: Faker;
}

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

export const person: fc.Arbitrary<Person> = fakerArb.chain((faker) =>
  fc.integer({ min: 0, max: 3 }).map((form) => {
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const f = ascii(first) || 'x';
    const l = ascii(last) || 'y';
    const account = [`${f[0]}${l}`, `${f}.${l}`, `${f}_${l[0]}`, `${l}${faker.number.int({ min: 1, max: 99 })}`][form] as string;
    return { first, last, account, company: faker.company.name().replace(/[,]/g, ''), faker };
  }),
);

/** The parts of a name that identify: capitalised parts of the first and last name. */
export function nameParts(who: Person): string[] {
  return `${who.first} ${who.last}`.split(/[\s'’.-]+/).filter((part) => /^\p{Lu}/u.test(part));
}

// ---- paths ------------------------------------------------------------------------

const DOC_EXT = ['pdf', 'docx', 'xlsx', 'txt', 'json', 'csv', 'key'];

export const path = (who: Person): fc.Arbitrary<Planted> =>
  fc.integer({ min: 0, max: 6 }).map((form) => {
    const f = who.faker;
    const folder = f.word.noun();
    const doc = `${f.word.noun()} ${f.date.past().getFullYear()}.${f.helpers.arrayElement(DOC_EXT)}`;
    const full = `${who.first} ${who.last}`;
    const org = `${who.company}`;
    switch (form) {
      case 0:
        return p('win-path', `C:\\Users\\${full}\\OneDrive - ${org}\\${folder}\\${doc}`, full, who.last, org, doc);
      case 1:
        return p('mac-path', `/Users/${who.account}/Library/Application Support/${org}/${doc}`, who.account, org, doc);
      case 2:
        return p('linux-path', `/home/${who.account}/${folder}/${doc}`, who.account, doc);
      case 3:
        return p('unc-path', `\\\\${ascii(org) || 'srv'}-fs01\\${who.account}$\\${doc}`, who.account, doc);
      case 4:
        return p(
          'file-url',
          `file:///C:/Users/${encodeURIComponent(full)}/Desktop/${encodeURIComponent(doc)}`,
          encodeURIComponent(full),
          who.last,
        );
      case 5:
        return p('long-path', `\\\\?\\C:\\Users\\${who.account}\\AppData\\Roaming\\${org}\\${doc}`, who.account, org, doc);
      default:
        return p('tilde-path', `~/${folder} ${who.last}/${doc}`, who.last, doc);
    }
  });

// ---- secrets ------------------------------------------------------------------------

export const secret = (who: Person): fc.Arbitrary<Planted> =>
  fc.integer({ min: 0, max: 9 }).map((form) => {
    const f = who.faker;
    const b64 = Buffer.from(f.string.alphanumeric(30)).toString('base64');
    const key = f.string.alphanumeric({ length: 40, casing: 'mixed' });
    switch (form) {
      case 0:
        return p('aws', `aws_secret_access_key=${key}`, key);
      case 1:
        return p('github', `GITHUB_TOKEN=ghp_${key.slice(0, 36)}`, key.slice(0, 36));
      case 2:
        return p('npm', `//registry.npmjs.org/:_authToken=npm_${key.slice(0, 36)}`, key.slice(0, 36));
      case 3:
        return p(
          'azure',
          `DefaultEndpointsProtocol=https;AccountName=${who.account.replace(/\W/g, '')};AccountKey=${b64}==;EndpointSuffix=core.windows.net`,
          b64,
          who.account.replace(/\W/g, ''),
        );
      case 4:
        return p(
          'basic',
          `Authorization: Basic ${Buffer.from(`${who.account}:${f.internet.password()}`).toString('base64')}`,
          Buffer.from(`${who.account}:`).toString('base64').slice(0, 8),
        );
      case 5: {
        const pw = f.internet.password({ length: 12 });
        return p('password', `password=${pw}`, pw);
      }
      case 6: {
        const pw = f.internet.password({ length: 10 });
        return p('conn', `postgres://${who.account}:${pw}@db.${ascii(who.company) || 'corp'}.com:5432/${f.word.noun()}`, who.account, pw);
      }
      case 7: {
        const token = `${f.string.alphanumeric(8)}.${f.string.alphanumeric(12)}`;
        return p('bearer', `Bearer ${token}`, token);
      }
      case 8: {
        const pw = f.internet.password({ length: 14 });
        return p('password-colon', `password: ${pw}`, pw);
      }
      default: {
        const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
        const body = Buffer.from(JSON.stringify({ sub: who.account, email: `${who.account}@example.com` })).toString('base64url');
        const sig = f.string.alphanumeric(43);
        return p('jwt', `${header}.${body}.${sig}`, body, sig);
      }
    }
  });

// ---- contact and identifiers ------------------------------------------------------------

export const contact = (who: Person): fc.Arbitrary<Planted> =>
  fc.integer({ min: 0, max: 8 }).map((form) => {
    const f = who.faker;
    switch (form) {
      case 0: {
        const email = f.internet.email({ firstName: who.first, lastName: who.last });
        return p('email', email, email.split('@')[0] ?? email);
      }
      case 1: {
        const phone = f.phone.number();
        return p('phone', phone, ...(phone.match(/\d{3,}/g) ?? []));
      }
      case 2: {
        const card = f.finance.creditCardNumber();
        return p('card', card, ...(card.match(/\d{4,}/g) ?? []));
      }
      case 3: {
        const iban = f.finance.iban({ formatted: true });
        return p('iban', iban, ...(iban.match(/\d{4,}/g) ?? []));
      }
      case 4: {
        const sid = `S-1-5-21-${f.number.int({ min: 1e9, max: 4e9 })}-${f.number.int({ min: 1e9, max: 4e9 })}-${f.number.int({ min: 1e7, max: 4e9 })}-${f.number.int({ min: 1000, max: 9999 })}`;
        return p('sid', sid, ...(sid.match(/\d{4,}/g) ?? []));
      }
      case 5: {
        const serial = f.string.alphanumeric({ length: 12, casing: 'upper' });
        return p('serial', `serial number ${serial}`, serial);
      }
      case 6: {
        const uuid = f.string.uuid();
        return p('uuid', uuid, uuid);
      }
      case 7:
        return p('name', `${who.first} ${who.last}`, ...nameParts(who));
      default:
        return p(
          'name-prose',
          `Contact ${who.first} at ${who.company}`,
          ...nameParts(who),
          ...who.company.split(/\s+/).filter((w) => /^\p{Lu}/u.test(w) && w.length >= 4),
        );
    }
  });

// ---- machines and networks -------------------------------------------------------------

export const machine = (who: Person): fc.Arbitrary<Planted> =>
  fc.integer({ min: 0, max: 10 }).map((form) => {
    const f = who.faker;
    const domain = `${ascii(who.company) || 'corp'}.${f.helpers.arrayElement(['com', 'de', 'internal', 'local', 'co.uk'])}`;
    switch (form) {
      case 0: {
        const host = `DESKTOP-${f.string.alphanumeric({ length: 7, casing: 'upper' })}`;
        return p('desktop', host, host.slice(8));
      }
      case 1: {
        const dom = (ascii(who.company).slice(0, 10) || 'corp').toUpperCase();
        return p('domain-account', `${dom}\\${who.account}`, who.account, dom);
      }
      case 2: {
        const ip = f.internet.ipv6();
        return p('ipv6-port', `${ip}:${f.internet.port()}`, ip);
      }
      case 3: {
        const ip = f.internet.ipv4();
        return p('ipv4-port', `${ip}:${f.internet.port()}`, ip);
      }
      case 4: {
        const mac = f.internet.mac();
        const short = mac
          .split(':')
          .map((g) => g.replace(/^0/, ''))
          .join(':');
        return p(
          'mac',
          f.datatype.boolean() ? short : mac.toUpperCase().replace(/:/g, '-'),
          mac.slice(9),
          mac.slice(9).toUpperCase().replace(/:/g, '-'),
        );
      }
      case 5: {
        const host = `${f.word.noun()}-${f.number.int({ min: 1, max: 99 })}.${domain}`;
        return p('fqdn', host, host);
      }
      case 6: {
        const url = `https://${domain}/${who.account}/${f.word.noun()}?token=${f.string.alphanumeric(16)}`;
        return p('url-cut', `${url},`, url, who.account);
      }
      case 7: {
        const url = `${domain}/users/${who.account};`;
        return p('schemeless-url', url, who.account, domain);
      }
      case 8: {
        const remote = `git@github.com:${ascii(who.company) || 'corp'}/${who.account}-notes.git`;
        return p('git-remote', remote, who.account, `${ascii(who.company) || 'corp'}/`);
      }
      case 9: {
        const host = `${who.account.replace(/\W/g, '')}s-MacBook-Pro.local`;
        return p('mac-host', host, host.split('.')[0] ?? host);
      }
      default: {
        const host = `${f.word.noun()}.${f.word.noun()}.${domain}`;
        return p('host', `getaddrinfo ENOTFOUND ${host}`, host);
      }
    }
  });

export const anyPlanted = (who: Person): fc.Arbitrary<Planted> => fc.oneof(path(who), secret(who), contact(who), machine(who));

// ---- messages ------------------------------------------------------------------------------

/** Real message forms of Node, V8 and libraries, with a slot for the planted value. */
const FORMS: ((s: string) => string)[] = [
  (s) => `ENOENT: no such file or directory, open '${s}'`,
  (s) => `EACCES: permission denied, mkdir ${s}`,
  (s) => `connect ECONNREFUSED ${s}`,
  (s) => `getaddrinfo ENOTFOUND ${s}`,
  (s) => `Cannot read properties of undefined (reading '${s}')`,
  (s) => `${s} is not a function`,
  (s) => `Request to ${s} failed with status code 503`,
  (s) => `Error invoking remote method 'save': Error: ${s}`,
  (s) => `Unexpected token '${s}', "${s}" is not valid JSON`,
  (s) => `Cannot find module '${s}'\nRequire stack:\n- ${s}`,
  (s) => `invalid config (${s}); retrying`,
  (s) => `duplicate key value violates unique constraint "${s}"`,
  (s) => `[${s}] timed out after 30000 ms`,
  (s) => `user ${s} not found`,
  (s) => `${s}`,
];

export interface PlantedMessage {
  message: string;
  planted: Planted[];
}

export const plantedMessage: fc.Arbitrary<PlantedMessage> = person.chain((who) =>
  fc
    .array(fc.tuple(fc.constantFrom(...FORMS), anyPlanted(who), fc.constantFrom(' ', ', ', '; ', '\n', ' | ', ' - ')), {
      minLength: 1,
      maxLength: 3,
    })
    .map((parts) => ({
      message: parts.map(([form, planted, sep]) => form(planted.text) + sep).join(''),
      planted: parts.map(([, planted]) => planted),
    })),
);

// ---- stacks --------------------------------------------------------------------------------

export interface PlantedStack {
  stack: string;
  appRoots: string[];
  denied: string[];
  secrets: string[];
}

const FUNCTIONS = [
  'Object.<anonymous>',
  'Module._compile',
  'async Promise.all',
  'loadConfig',
  'Socket.emit',
  'new Client',
  'InvoiceService.send',
];

export const plantedStack: fc.Arbitrary<PlantedStack> = person.chain((who) =>
  fc
    .array(
      fc.tuple(
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(...FUNCTIONS),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 200 }),
      ),
      { minLength: 1, maxLength: 14 },
    )
    .map((frames) => {
      const full = `${who.first} ${who.last}`;
      const org = who.company;
      const scope = `@${ascii(org) || 'corp'}`;
      const appRoots = [
        `/home/${who.account}/apps/${ascii(org) || 'app'}`,
        `C:\\Users\\${full}\\AppData\\Local\\Programs\\app\\resources\\app.asar`,
        'http://127.0.0.1:8123',
      ];
      const secrets = [who.account, full, who.last, scope, ...nameParts(who)];
      const lines = frames.map(([form, fn, line, col]) => {
        const at = `:${line}:${col}`;
        switch (form) {
          case 0:
            return `    at ${fn} (${appRoots[0]}/dist/main/index.js${at})`;
          case 1:
            return `    at ${fn} (${appRoots[1]}\\dist\\main\\store.js${at})`;
          case 2:
            return `    at ${fn} (/home/${who.account}/Documents/${who.last} notes/script.js${at})`;
          case 3:
            return `    at ${fn} (${appRoots[0]}/node_modules/${scope}/billing/dist/index.js${at})`;
          case 4:
            return `    at ${fn} (file:///C:/Users/${encodeURIComponent(full)}/Desktop/tool.js${at})`;
          case 5:
            return `    at ${fn} (https://${ascii(org) || 'corp'}.example.com/${who.account}/app.js${at})`;
          case 6:
            return `    at ${fn} (${appRoots[0]}/dist/${who.account}/report.js${at})`;
          default:
            return `    at ${fn} (node:internal/process/task_queues${at})`;
        }
      });
      return { stack: [`Error: failed for ${full}`, ...lines].join('\n'), appRoots, denied: [who.account], secrets };
    }),
);
