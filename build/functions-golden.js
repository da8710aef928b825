#!/usr/bin/env node
/**
 * The CLOSEDESK functions metadata (what webpack emits as functions.json), generated from the JSDoc
 * in functions/functions.ts by the same generator custom-functions-metadata-plugin uses.
 * `npm run functions:golden` rewrites test/functions/functions.golden.json; the golden test
 * compares against it, so any change to a function's signature shows up in review.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { generateCustomFunctionsMetadata } = require('custom-functions-metadata');

const ROOT = path.join(__dirname, '..');
const FUNCTIONS_SOURCE = path.join(ROOT, 'functions', 'functions.ts');
const GOLDEN_FILE = path.join(ROOT, 'test', 'functions', 'functions.golden.json');

/** Returns the metadata JSON text; throws with the generator's messages when the JSDoc is invalid. */
async function generateFunctionsMetadata(source = FUNCTIONS_SOURCE) {
  const result = await generateCustomFunctionsMetadata(source, false);
  if (result.errors.length > 0) {
    throw new Error(`The custom function metadata has errors:\n${result.errors.join('\n')}`);
  }
  return result.metadataJson;
}

module.exports = { FUNCTIONS_SOURCE, GOLDEN_FILE, generateFunctionsMetadata };

if (require.main === module) {
  generateFunctionsMetadata().then(
    (json) => {
      fs.writeFileSync(GOLDEN_FILE, json.endsWith('\n') ? json : `${json}\n`);
      console.log(`Wrote ${path.relative(ROOT, GOLDEN_FILE)}`);
    },
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
