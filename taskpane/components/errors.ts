/**
 * What a page says when something stopped: one sentence a finance user can read. The server and the
 * task pane's own code speak in sentences; a library's message (a zip reader's "is this a zip file ?
 * see https://…", a TypeError about undefined) is not shown: the page says what stopped, and the
 * message goes to the browser's console for whoever investigates.
 */
import { isAbortError } from '../api';

export const CANCELLED_SENTENCE = 'Cancelled: the sheets written so far stay in the workbook.';

/** A message fit to show as is: one short sentence in words, no address, no code or placeholder. */
export function isPlainSentence(text: string): boolean {
  const t = text.trim();
  if (t.length === 0 || t.length > 400) return false;
  if (/https?:\/\/|www\.|[{}\\<>%]|\bundefined\b|\bNaN\b|\b[A-Z][a-z]+Error\b|\bat \S+ \(|\s[:;?!,]/.test(t)) return false;
  return /^["'“(]?[A-Z0-9]/.test(t) && /[.!?]["')”]?$/.test(t);
}

/** The error's own sentence when it is plain, else `fallback` (and the error to the console). */
export function errorSentence(e: unknown, fallback: string): string {
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  if (isPlainSentence(message)) return message.trim();
  console.error(fallback, e);
  return fallback;
}

/** The sentence for a job that stopped: a cancel keeps what was written, anything else says why. */
export function runErrorMessage(e: unknown, what = 'The run'): string {
  if (isAbortError(e)) return CANCELLED_SENTENCE;
  return errorSentence(e, `${what} stopped on an unexpected error; the details are in the browser's console.`);
}
