import { createSandbox } from './server/zoho-sandbox';
(async () => {
  const sb = createSandbox({ limits: { perMinute: 1e6, perDay: 1e7 } });
  const tok = sb.issueRefreshToken('c', 's');
  const r = await sb.app.inject({ method: 'POST', url: `/oauth/v2/token?grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=${tok}` });
  const at = r.json().access_token; const seed = sb.state.seedIds();
  const h = { authorization: `Zoho-oauthtoken ${at}` };
  let t = Date.now();
  for (let i = 0; i < 20; i++) {
    const x = await sb.app.inject({ method: 'POST', url: `/books/v3/invoices?organization_id=${seed.organizationId}&ignore_auto_number_generation=true`, headers: h, payload: { customer_id: seed.customerId, invoice_number: 'N' + i, date: '2026-01-01', line_items: [{ item_id: seed.itemIds.sales, rate: 1.5, quantity: 1 }] } });
    if (i === 0) console.log(x.statusCode, x.body.slice(0, 100), Date.now() - t);
  }
  console.log('20 posts', Date.now() - t);
  t = Date.now();
  for (let i = 0; i < 20; i++) await sb.app.inject({ method: 'GET', url: `/books/v3/invoices?organization_id=${seed.organizationId}&invoice_number=N1`, headers: h });
  console.log('20 gets', Date.now() - t);
})();
