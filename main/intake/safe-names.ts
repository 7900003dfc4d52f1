import { hostname, homedir, userInfo } from 'node:os';
import { basename } from 'node:path';
import { SAFE_NAME } from '../anonymize/safe-name.js';

// The safe-name grammar. An app's metric names, attribute keys, units, service name and
// version are kept as they are (like Candor's own metric names, they are defined in
// code), so they must look like names and nothing else:
//
//   syntax   ^[A-Za-z][A-Za-z0-9_.-]{0,127}$ : no spaces, '@', '/', '\', ':', quotes or
//            control characters, so no e-mail address, path, URL or free text fits;
//   id       no run of 12+ hex characters with a digit in it (hashes, UUIDs, container
//            and trace ids) and no 5+ digits in a row (user ids, phone numbers, pids);
//   address  nothing shaped like an IPv4 or MAC address, nor a host name ending in a
//            public or local suffix (.com, .net, .org, .local, .internal, .lan, ...),
//            nor `localhost` (versions skip this: `1.0.0.0` is a .NET version);
//   machine  none of this machine's own identifiers (host name, user name, home folder
//            name) anywhere in it, case-insensitively, unless the identifier is a name
//            shared by millions of machines (root, ubuntu, node, ...).
// A name that fails is dropped and counted under its reason.

export type NameProblem = 'syntax' | 'id' | 'address' | 'machine';

/** UCUM-style units: `ms`, `By`, `1`, `{request}`, `By/s`, `%`. */
const UNIT = /^[A-Za-z0-9%{}/._*^-]{1,32}$/;
/** service.version, telemetry.sdk.version: `1.2.3`, `2.0.0-rc.1+build.7`, `v20.11.1`. */
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/;

const HEX_ID = /(?=[0-9a-f]*\d)[0-9a-f]{12,}/;
const LONG_NUMBER = /\d{5,}/;
const IPV4 = /(?:^|\D)\d{1,3}([._-])\d{1,3}\1\d{1,3}\1\d{1,3}(?:\D|$)/;
const MAC = /(?:^|[^0-9a-f])[0-9a-f]{2}([._-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}(?:[^0-9a-f]|$)/;
const HOST_SUFFIX = /\.(?:com|net|org|edu|gov|mil|local|localdomain|internal|intranet|lan|corp|arpa|example|invalid)$/;
const LOCALHOST = /localhost/;

/** Account and host names too common to identify anyone: skipped by the machine check. */
const SHARED_NAMES = new Set([
  'root',
  'admin',
  'administrator',
  'user',
  'users',
  'guest',
  'node',
  'app',
  'apps',
  'ubuntu',
  'debian',
  'fedora',
  'centos',
  'alpine',
  'ec2-user',
  'runner',
  'vagrant',
  'docker',
  'jenkins',
  'git',
  'daemon',
  'nobody',
  'www-data',
  'pi',
  'localhost',
  'home',
  'default',
  'server',
  'desktop',
  'laptop',
]);

/** This machine's identifiers worth checking names against (lower case, 3+ characters, not shared names). */
export function machineIdentifiers(extra: readonly string[] = []): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value === undefined) return;
    const v = value.trim().toLowerCase();
    if (v.length >= 3 && !SHARED_NAMES.has(v)) found.add(v);
  };
  const safely = (read: () => string | undefined): void => {
    try {
      add(read());
    } catch {
      // userInfo() throws for a uid without a passwd entry (containers): nothing to add.
    }
  };
  safely(() => hostname());
  safely(() => hostname().split('.')[0]);
  safely(() => userInfo().username);
  safely(() => basename(homedir()));
  for (const value of extra) add(value);
  return [...found];
}

function shapeProblem(lower: string): NameProblem | null {
  if (HEX_ID.test(lower) || LONG_NUMBER.test(lower)) return 'id';
  if (IPV4.test(lower) || MAC.test(lower) || HOST_SUFFIX.test(lower) || LOCALHOST.test(lower)) return 'address';
  return null;
}

/** Checks names against the grammar, with a bounded cache (apps repeat the same few names in every export). */
export class NameChecker {
  private readonly cache = new Map<string, NameProblem | null>();

  constructor(
    private readonly machine: readonly string[],
    private readonly cacheSize = 4096,
  ) {}

  /** Metric names and attribute keys. */
  name(text: string): NameProblem | null {
    const cached = this.cache.get(text);
    if (cached !== undefined) return cached;
    const problem = SAFE_NAME.test(text) ? this.rest(text) : 'syntax';
    this.remember(text, problem);
    return problem;
  }

  /** A metric's unit ('' is a valid, empty unit). */
  unit(text: string): NameProblem | null {
    if (text === '') return null;
    return UNIT.test(text) ? this.rest(text) : 'syntax';
  }

  /** Versions may carry a build hash (not an identifier of a person) and four numbers, so only the machine check. */
  version(text: string): NameProblem | null {
    return VERSION.test(text) ? this.machineProblem(text.toLowerCase()) : 'syntax';
  }

  private rest(text: string): NameProblem | null {
    const lower = text.toLowerCase();
    return shapeProblem(lower) ?? this.machineProblem(lower);
  }

  private machineProblem(lower: string): NameProblem | null {
    for (const id of this.machine) if (lower.includes(id)) return 'machine';
    return null;
  }

  private remember(text: string, problem: NameProblem | null): void {
    // A flood of distinct names must not grow the cache: start over when it is full.
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(text, problem);
  }
}
