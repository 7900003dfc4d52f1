// Writes docs/payload.schema.json and docs/payload.md from the payload schema (the
// allow-list). A test fails when the committed files differ from what this writes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { payloadSchema } = await import(join(root, 'dist/main/report/validate.js'));
const { renderPayloadDoc } = await import(join(root, 'dist/main/report/payload-doc.js'));
const schema = payloadSchema();
writeFileSync(join(root, 'docs/payload.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(join(root, 'docs/payload.md'), renderPayloadDoc(schema));
console.log('wrote docs/payload.schema.json and docs/payload.md');
