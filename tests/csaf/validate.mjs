// Checks CSAF 2.0 documents with @secvisogram/csaf-validator-lib, a validator
// Candor did not write: the strict JSON schema, every mandatory test (6.1.x)
// and every optional test (6.2.x). The informative tests are left out: they
// fetch URLs and spell-check with hunspell.
//
// Usage: node validate.mjs FILE...   (exits 1 naming each failing test)
import { readFile } from 'node:fs/promises';
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js';
import * as schema from '@secvisogram/csaf-validator-lib/schemaTests.js';
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js';
import * as optional from '@secvisogram/csaf-validator-lib/optionalTests.js';

const tests = [schema.csaf_2_0_strict, ...Object.values(mandatory), ...Object.values(optional)];
let failures = 0;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(await readFile(file, 'utf8'));
  const result = await validateStrict(tests, doc);
  for (const t of result.tests) {
    for (const e of [...t.errors, ...t.warnings]) {
      failures += 1;
      console.error(`${file}: ${t.name}: ${e.instancePath} ${e.message}`);
    }
  }
}
console.log(`csaf: ${process.argv.length - 2} documents, ${tests.length} tests each, ${failures} findings`);
process.exit(failures === 0 && process.argv.length > 2 ? 0 : 1);
