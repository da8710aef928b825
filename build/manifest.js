/**
 * manifest.xml is written for https://localhost:3000. One function rewrites every URL in it for
 * another origin, used by webpack (dist/manifest.xml for ADDIN_ORIGIN) and by the server when it
 * serves the manifest for the origin it runs on.
 */
'use strict';

const DEFAULT_ORIGIN = 'https://localhost:3000';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks and normalises an origin (or base URL with a path, e.g. behind a reverse proxy).
 * Office loads add-ins over HTTPS only; plain http is accepted for loopback (tests, preview).
 */
function normaliseOrigin(origin) {
  let url;
  try {
    url = new URL(String(origin));
  } catch {
    throw new Error(`ADDIN_ORIGIN "${origin}" is not a URL; use something like https://closedesk.example.com.`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    throw new Error(`ADDIN_ORIGIN "${origin}" must use https: Office loads add-ins only over HTTPS.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`ADDIN_ORIGIN "${origin}" must be an origin or base URL without query, fragment or credentials.`);
  }
  // URL() percent-encodes quotes and angle brackets, so the result is safe inside an XML attribute.
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The manifest with every https://localhost:3000 URL moved to `origin`. */
function manifestForOrigin(xml, origin = DEFAULT_ORIGIN) {
  const base = normaliseOrigin(origin);
  return String(xml).replace(/https:\/\/localhost:3000(?=[/"<])/g, () => base);
}

module.exports = { DEFAULT_ORIGIN, manifestForOrigin, normaliseOrigin };
