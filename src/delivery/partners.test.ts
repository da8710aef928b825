import { choosePartner } from './partners';

const A = { id: 'a', name: 'Acquirer A', networks: ['VISA'] };
const B = { id: 'b', name: 'Acquirer B', networks: ['VISA', 'AMEX'] };
const S = { id: 's', name: 'Outbox SFTP', networks: ['SPURSH'] };
const all = [A, B, S];

describe('choosing the partner a file goes to', () => {
  test('the only partner taking the label', () => {
    expect(choosePartner('AMEX', all)).toMatchObject({ ok: true, partner: B, how: 'only' });
    expect(choosePartner('SPURSH', all)).toMatchObject({ ok: true, partner: S, how: 'only' });
  });

  test('several or none: no choice, with what to do', () => {
    expect(choosePartner('VISA', all)).toEqual({ ok: false, code: 'several-partners', candidates: [A, B], message: 'Several partners receive VISA files (Acquirer A, Acquirer B); choose one.' });
    expect(choosePartner('DISCOVER', all)).toMatchObject({ ok: false, code: 'no-partner', message: 'No delivery partner receives DISCOVER files; an admin sets one under Settings → Delivery targets (or choose one for DISCOVER).' });
  });

  test("the preparer's choice first, then the configured mapping", () => {
    expect(choosePartner('VISA', all, { VISA: 'a' })).toMatchObject({ ok: true, partner: A, how: 'chosen' });
    expect(choosePartner('VISA', all, {}, { VISA: 'b' })).toMatchObject({ ok: true, partner: B, how: 'configured' });
    expect(choosePartner('VISA', all, { VISA: 'a' }, { VISA: 'b' })).toMatchObject({ partner: A, how: 'chosen' });
    // A configured partner is used even when it does not list the label (the admin said so).
    expect(choosePartner('DISCOVER', all, {}, { DISCOVER: 'a' })).toMatchObject({ ok: true, partner: A });
    expect(choosePartner('VISA', all, { VISA: 'gone' })).toMatchObject({ ok: false, code: 'chosen-missing' });
    expect(choosePartner('VISA', all, {}, { VISA: 'gone' })).toMatchObject({ ok: false, code: 'configured-missing', message: 'The partner configured for VISA files no longer exists; an admin sets another under Settings → Delivery targets.' });
  });
});
