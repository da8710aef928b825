import { readExpenseLines } from './lines';
import { aliasRows, applyLearners, describeLearnerRules, learnerRulesOf, learnerSpellings, matchLearners, type LearnerRules } from './learners';
import { customerKey } from './invoices';
import { buildTuitionMonth, tablesFeed } from './month';

const BP = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const LW = ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'];
const bp = (rows: string[][]) => ({ name: 'brightpath.csv', header: BP, rows });
const lw = (rows: (string | number)[][]) => ({ name: 'learnwell.xlsx Expenses', header: LW, rows });

describe('one learner across partner layouts', () => {
  test('the demo case: "alice.ng" at one partner and alice.ng@example.com at the other are one line per expense type', async () => {
    const month = await buildTuitionMonth(
      tablesFeed([
        bp([
          ['BP-1', 'Contoso Ltd', 'alice.ng@example.com', 'Tuition', '1000.00', 'USD', '11/04/2024'],
          ['BP-2', 'Contoso Ltd', 'bob.ortiz@example.com', 'Tuition', '50.00', 'USD', '11/04/2024'],
        ]),
        lw([
          ['LW1', 'Contoso Ltd', 'alice.ng', 'TUITION', 200, 'USD', '2024-11-05'],
          ['LW2', 'Contoso Ltd', 'Alice.Ng', 'TUTORING', 30, 'USD', '2024-11-06'],
        ]),
      ]),
      { month: '2024-11' },
    );
    expect(month.problems).toEqual([]);
    const inv = month.invoices[0]!;
    expect(inv.lines.map((l) => [l.user, l.expenseType, l.cents, l.items])).toEqual([
      ['alice.ng@example.com', 'TUITION', 120000, 2],
      ['alice.ng@example.com', 'TUTORING', 3000, 1],
      ['bob.ortiz@example.com', 'TUITION', 5000, 1],
    ]);
    expect(month.learners).toEqual([
      { customer: 'Contoso Ltd', spelling: 'alice.ng', learner: 'alice.ng@example.com', rule: 'local-part' },
      { customer: 'Contoso Ltd', spelling: 'Alice.Ng', learner: 'alice.ng@example.com', rule: 'local-part' },
    ]);
  });

  test('an e-mail address is the learner whatever its case; the first spelling met is shown', () => {
    const read = readExpenseLines([
      bp([
        ['BP-1', 'Contoso Ltd', 'Alice.Ng@Example.com', 'Tuition', '10.00', 'USD', '11/04/2024'],
        ['BP-2', 'Contoso Ltd', 'alice.ng@example.COM', 'Tuition', '10.00', 'USD', '11/04/2024'],
      ]),
    ]);
    const learners = matchLearners(learnerSpellings(read.lines));
    expect(applyLearners(read.lines, learners).map((l) => l.user)).toEqual(['Alice.Ng@Example.com', 'Alice.Ng@Example.com']);
    expect(learners.matches).toEqual([]);
  });

  test('a name that is the part before the @ of two addresses is a warning naming both spellings and rows, and stays apart', async () => {
    const month = await buildTuitionMonth(
      tablesFeed([
        bp([
          ['BP-1', 'Contoso Ltd', 'sam@contoso.example', 'Tuition', '10.00', 'USD', '11/04/2024'],
          ['BP-2', 'Contoso Ltd', 'sam@fabrikam.example', 'Tuition', '20.00', 'USD', '11/04/2024'],
          ['BP-3', 'Contoso Ltd', 'sam@fabrikam.example', 'Tutoring', '20.00', 'USD', '11/04/2024'],
        ]),
        lw([
          ['LW1', 'Contoso Ltd', 'sam', 'TUITION', 5, 'USD', '2024-11-05'],
          // Another customer's sam is no candidate: learners are matched within one customer.
          ['LW2', 'Northwind Traders', 'sam', 'TUITION', 5, 'USD', '2024-11-05'],
        ]),
      ]),
      { month: '2024-11' },
    );
    expect(month.problems).toEqual([
      {
        severity: 'warning',
        source: 'learnwell.xlsx Expenses',
        row: 2,
        column: 'Learner',
        value: 'sam',
        code: 'ambiguous-learner',
        kind: 'A user name that could be more than one learner',
        message:
          'For Contoso Ltd, "sam" (learnwell.xlsx Expenses row 2) could be sam@contoso.example (brightpath.csv row 2) or sam@fabrikam.example (brightpath.csv row 3 and 1 more row); ' +
          "it is billed as a learner of its own. Add an alias to Contoso Ltd's tuition settings to say who it is.",
      },
    ]);
    expect(month.blocked).toBe(false);
    const contoso = month.invoices.find((i) => i.customer === 'Contoso Ltd')!;
    expect(contoso.lines.map((l) => l.user)).toEqual(['sam', 'sam@contoso.example', 'sam@fabrikam.example', 'sam@fabrikam.example']);
  });

  test('the customer’s aliases decide (also an ambiguous name), and its part-before-the-@ rule can be switched off', () => {
    const read = readExpenseLines([
      bp([
        ['BP-1', 'Contoso Ltd', 'sam@contoso.example', 'Tuition', '10.00', 'USD', '11/04/2024'],
        ['BP-2', 'Contoso Ltd', 'sam@fabrikam.example', 'Tuition', '20.00', 'USD', '11/04/2024'],
        ['BP-3', 'Fabrikam Inc', 'eli@fabrikam.example', 'Tuition', '20.00', 'USD', '11/04/2024'],
      ]),
      lw([
        ['LW1', 'Contoso Ltd', 'sam', 'TUITION', 5, 'USD', '2024-11-05'],
        ['LW2', 'Contoso Ltd', 'Samuel  Park', 'TUITION', 5, 'USD', '2024-11-05'],
        ['LW3', 'Fabrikam Inc', 'eli', 'TUITION', 5, 'USD', '2024-11-05'],
      ]),
    ]);
    const rules: LearnerRules = {
      'contoso ltd': { aliases: { SAM: 'SAM@contoso.example', 'samuel park': 'sam@contoso.example' } },
      'fabrikam inc': { localPart: false },
    };
    const learners = matchLearners(learnerSpellings(read.lines), rules);
    expect(learners.problems).toEqual([]);
    expect(applyLearners(read.lines, learners).map((l) => `${l.customer}: ${l.user}`)).toEqual([
      'Contoso Ltd: sam@contoso.example',
      'Contoso Ltd: sam@fabrikam.example',
      'Fabrikam Inc: eli@fabrikam.example',
      'Contoso Ltd: sam@contoso.example',
      'Contoso Ltd: sam@contoso.example',
      'Fabrikam Inc: eli',
    ]);
    expect(learners.matches.map((m) => [m.spelling, m.learner, m.rule])).toEqual([
      ['sam', 'sam@contoso.example', 'alias'],
      ['Samuel Park', 'sam@contoso.example', 'alias'],
    ]);
  });

  test('a name with no address to match stays as written; names differing only in case are one line already', () => {
    const read = readExpenseLines([
      lw([
        ['LW1', 'Contoso Ltd', 'dana.kim', 'TUITION', 5, 'USD', '2024-11-05'],
        ['LW2', 'Contoso Ltd', 'Dana.Kim', 'TUITION', 5, 'USD', '2024-11-05'],
      ]),
    ]);
    const learners = matchLearners(learnerSpellings(read.lines));
    expect(learners.problems).toEqual([]);
    expect(learners.matches).toEqual([]);
    expect(learnerSpellings(read.lines).map((s) => [s.user, s.rows])).toEqual([
      ['dana.kim', 1],
      ['Dana.Kim', 1],
    ]);
  });
});

describe('learner rules as the Settings form edits them', () => {
  test('rows become the rules the build takes, blank rows dropped, and back', () => {
    const r = learnerRulesOf(
      [
        { spelling: ' alice ', learner: 'alice@northwind.test' },
        { spelling: '', learner: '' },
      ],
      false,
    );
    expect(r).toEqual({ ok: true, rules: { aliases: { alice: 'alice@northwind.test' }, localPart: false } });
    expect(aliasRows(r.ok ? r.rules : null)).toEqual([{ spelling: 'alice', learner: 'alice@northwind.test' }]);
    expect(describeLearnerRules(r.ok ? r.rules : null)).toBe('1 learner alias; user names are not matched to addresses.');
    expect(describeLearnerRules({})).toBe('No learner aliases; a user name is matched to the one address it begins.');
  });

  test('a half-filled row, a spelling listed twice, an alias naming itself: each says what to fix', () => {
    expect(learnerRulesOf([{ spelling: 'alice', learner: ' ' }], true)).toEqual({ ok: false, problem: 'Alias 1: give both the spelling the partner writes and the learner it means.' });
    expect(
      learnerRulesOf(
        [
          { spelling: 'Alice', learner: 'a@x.test' },
          { spelling: ' alice', learner: 'b@x.test' },
        ],
        true,
      ),
    ).toEqual({ ok: false, problem: '"alice" is listed twice (as "Alice" too); keep one alias for it.' });
    expect(learnerRulesOf([{ spelling: 'A@x.test', learner: 'a@x.test' }], true)).toEqual({ ok: false, problem: 'Alias 1: "A@x.test" is already that learner; name another learner or remove the alias.' });
  });

  test('an alias set in the form settles an ambiguous learner on the next build', async () => {
    const tables = tablesFeed([
      bp([
        ['BP-1', 'Adatum', 'sam@adatum.test', 'Tuition', '100.00', 'USD', '11/04/2024'],
        ['BP-2', 'Adatum', 'sam@adatum-labs.test', 'Tuition', '50.00', 'USD', '11/04/2024'],
      ]),
      lw([['LW1', 'Adatum', 'sam', 'TUITION', 20, 'USD', '2024-11-05']]),
    ]);
    const before = await buildTuitionMonth(tables, { month: '2024-11' });
    expect(before.problems.map((p) => p.code)).toEqual(['ambiguous-learner']);
    const form = learnerRulesOf([{ spelling: 'sam', learner: 'sam@adatum-labs.test' }], true);
    if (!form.ok) throw new Error(form.problem);
    const after = await buildTuitionMonth(tables, { month: '2024-11', learners: { [customerKey('Adatum')]: form.rules } });
    expect(after.problems).toEqual([]);
    expect(after.invoices[0]!.lines.map((l) => [l.user, l.cents, l.items])).toEqual([
      ['sam@adatum-labs.test', 7000, 2],
      ['sam@adatum.test', 10000, 1],
    ]);
  });
});
