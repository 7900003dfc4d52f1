// Writes docs/schema/payload-v<N>.schema.json (the wire schema of the current version)
// and docs/payload.md from the payload schema (the allow-list). Older versions' files in
// docs/schema/ are frozen: never rewritten. A test fails when the committed files
// differ from what this writes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { payloadSchema, wireSchema } = await import(join(root, 'dist/main/report/validate.js'));
const { renderPayloadDoc } = await import(join(root, 'dist/main/report/payload-doc.js'));
const { SCHEMA_VERSION } = await import(join(root, 'dist/main/report/payload-schema.js'));
writeFileSync(join(root, `docs/schema/payload-v${SCHEMA_VERSION}.schema.json`), `${JSON.stringify(wireSchema(), null, 2)}\n`);
writeFileSync(join(root, 'docs/payload.md'), renderPayloadDoc(payloadSchema(), SCHEMA_VERSION));
console.log(`wrote docs/schema/payload-v${SCHEMA_VERSION}.schema.json and docs/payload.md`);
