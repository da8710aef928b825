/**
 * `npm run bench -- settlements`: the two measurements in one run — parsing a 1M-line V2
 * file against pandas (settlements-parse) and posting a 129 × 124 backlog against the sandbox at
 * Zoho's limits against the original one-call-per-payment approach (settlements-post).
 */
import { main as parse } from './settlements-parse';
import { main as post } from './settlements-post';

export async function main(args: string[]): Promise<void> {
  await parse(args);
  await post(args);
}
