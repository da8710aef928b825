/**
 * JSON.parse that never turns a long integer into a rounded number: integer literals of 16 or
 * more digits outside strings become strings first. Zoho sends ids as strings, but a proxy or a
 * future field must not silently round a 17-digit id.
 */
export function parseZohoJson(text: string): unknown {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if ((ch === '-' || (ch >= '0' && ch <= '9')) && !/[\d.eE+-]/.test(text[i - 1] ?? '')) {
      let j = i + (ch === '-' ? 1 : 0);
      while (j < text.length && text[j] >= '0' && text[j] <= '9') j++;
      const digits = j - i - (ch === '-' ? 1 : 0);
      const next = text[j] ?? '';
      if (digits >= 16 && next !== '.' && next !== 'e' && next !== 'E') {
        out += text.slice(last, i) + '"' + text.slice(i, j) + '"';
        last = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(last));
}
