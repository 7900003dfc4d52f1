import { errorTypes, identifierParts, isAllowedRun, MID, wordRules, type TemplateContext } from './error-vocabulary.js';

// The type of an error as it may leave: an identifier that names a known error class
// (built into the platform or declared by one of the libraries the vocabulary was built
// from), or whose parts are all vocabulary words (ValidationError, SqliteError,
// MongoServerSelectionError). Anything else is `<type>`: a class named after a customer
// or a product is the app's business.

export const UNKNOWN_TYPE = '<type>';

/** Names describeThrown() gives to thrown values that are not objects. */
const VALUE_TYPES = new Set([
  'string',
  'number',
  'bigint',
  'boolean',
  'symbol',
  'undefined',
  'null',
  'function',
  'object',
  'Object',
  'unknown',
]);

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,79}$/;

export function safeErrorType(type: string, ctx?: TemplateContext): string {
  if (typeof type !== 'string') return UNKNOWN_TYPE;
  // Node prints "TypeError [ERR_INVALID_ARG_TYPE]" as a name in some paths: the class is the type.
  const name = type.trim().replace(/ \[[A-Z0-9_]+\]$/, '');
  if (VALUE_TYPES.has(name) || errorTypes().has(name)) return name;
  // A dotted name (Prisma.PrismaClientKnownRequestError): every part must pass.
  const parts = name.split('.');
  if (parts.length > 3) return UNKNOWN_TYPE;
  const rules = wordRules(ctx);
  for (const part of parts) {
    if (!IDENTIFIER.test(part)) return UNKNOWN_TYPE;
    if (errorTypes().has(part)) continue;
    // A type name is PascalCase by convention: judge its parts, not its capitals.
    const pieces = part.split(/[_$]+/).filter((p) => p !== '');
    const words = pieces.flatMap((p) => identifierParts(p));
    if (words.length === 0 || !words.every((w) => isAllowedRun(w.toLowerCase(), MID, rules))) return UNKNOWN_TYPE;
  }
  return name;
}
