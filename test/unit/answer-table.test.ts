import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FailureType } from '../../src/failures';
import {
  actionFor,
  ANSWER_RULES,
  failureFor,
  readTask,
  ruleFor,
  taskAction,
  type Action,
  type Answer,
  type AnswerRule,
  type TaskAction,
} from '../../src/linkedin/answers';
import { LinkedInContractError } from '../../src/linkedin/linkedin-contract-error';
import { LinkedInUnreachableError } from '../../src/linkedin/linkedin-unreachable-error';

const ROOT = join(__dirname, '..', '..');
const HEADING = /^#+ What each LinkedIn answer leads to\s*$/;

/** The answer table's rows, [what LinkedIn answers, what the resync does], from the README or docs/. */
function documentedRows(): Array<[string, string]> {
  const docs = join(ROOT, 'docs');
  const files = [
    join(ROOT, 'README.md'),
    ...(existsSync(docs)
      ? readdirSync(docs)
          .filter((file) => file.endsWith('.md'))
          .map((file) => join(docs, file))
      : []),
  ];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const start = lines.findIndex((line) => HEADING.test(line));
    if (start < 0) continue;
    const table = lines.slice(start + 1).filter((line, index, all) => {
      const firstRow = all.findIndex((candidate) => candidate.startsWith('|'));
      const end = all.findIndex((candidate, i) => i > firstRow && !candidate.startsWith('|'));
      return index >= firstRow && (end < 0 || index < end);
    });
    return table
      .slice(2)
      .map((row) => row.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|?\s*$/g, '').trim()))
      .map(([answer = '', leadsTo = '']) => [answer, leadsTo]);
  }
  throw new Error('no "What each LinkedIn answer leads to" table in README.md or docs/');
}

type Example =
  | { answer: Answer; action: Action }
  | { task: { status: unknown; errorMessage?: string }; operation: string; taskAction: TaskAction }
  | { error: unknown; failure: FailureType; retry: 'backoff' | 'after' | 'never' };

/** Each documented row, by how its first cell begins: the words its second cell says, and what the code does. */
const ROWS: Record<string, { says: string; examples: Example[] }> = {
  'a token whose `expires_in`': {
    says: 'reused until a minute before it expires',
    examples: [{ answer: { source: 'token', status: 200 }, action: 'accept' }],
  },
  'element `202`': {
    says: 'sent; its task is followed',
    examples: [
      { answer: { source: 'element', status: 202 }, action: 'accept' },
      { answer: { source: 'call', status: 200 }, action: 'accept' },
    ],
  },
  'element 4xx': {
    says: 'that job `REJECTED`',
    examples: [{ answer: { source: 'element', status: 422, operation: 'UPDATE' }, action: 'reject-job' }],
  },
  'element `429` or 5xx': {
    says: 'only that element is sent again',
    examples: [
      { answer: { source: 'element', status: 429, operation: 'UPDATE' }, action: 'resend-element' },
      { answer: { source: 'element', status: 503, operation: 'CLOSE' }, action: 'resend-element' },
    ],
  },
  '`401`': {
    says: 'one fresh token fetched, the call sent again',
    examples: [{ answer: { source: 'call', status: 401 }, action: 'refresh-token' }],
  },
  'whole-call 4xx naming one job': {
    says: 'the other jobs are sent again',
    examples: [{ answer: { source: 'call', status: 400, namesJob: true }, action: 'names-job' }],
  },
  '`403`, `404`, other whole-call 4xx': {
    says: 'every job of the call `REJECTED`',
    examples: [
      { answer: { source: 'call', status: 403 }, action: 'reject-call' },
      { answer: { source: 'call', status: 404, operation: 'CLOSE' }, action: 'reject-call' },
    ],
  },
  'whole-call or element `409` to a CLOSE': {
    says: '`CLOSED`, confirmed',
    examples: [
      { answer: { source: 'call', status: 409, operation: 'CLOSE' }, action: 'already-done' },
      { answer: { source: 'element', status: 409, operation: 'CLOSE' }, action: 'already-done' },
    ],
  },
  '`429`': {
    says: 'retried after `Retry-After`',
    examples: [
      { answer: { source: 'call', status: 429 }, action: 'retry-after' },
      { answer: { source: 'token', status: 429 }, action: 'retry-after' },
    ],
  },
  '5xx, `504`, network error': {
    says: 'retried with exponential backoff',
    examples: [
      { answer: { source: 'call', status: 504 }, action: 'retry' },
      { answer: { source: 'token', status: 500 }, action: 'retry' },
      {
        error: new LinkedInUnreachableError('reset'),
        failure: FailureType.LinkedInUnavailable,
        retry: 'backoff',
      },
    ],
  },
  'a 2xx body outside the documented shape': {
    says: '`LinkedInContractViolation`, not retried',
    examples: [
      {
        error: new LinkedInContractError('no'),
        failure: FailureType.LinkedInContractViolation,
        retry: 'never',
      },
    ],
  },
  'the token endpoint refuses the child credentials': {
    says: "the batch's jobs `REJECTED`",
    examples: [
      { answer: { source: 'token', status: 401 }, action: 'reject-call' },
      { answer: { source: 'token', status: 400 }, action: 'reject-call' },
    ],
  },
  'task `SUCCEEDED`': {
    says: 'confirmed',
    examples: [
      { task: { status: 'SUCCEEDED' }, operation: 'UPDATE', taskAction: 'confirm' },
      { task: { status: 'PROCESSED' }, operation: 'UPDATE', taskAction: 'confirm' },
    ],
  },
  'task `PROCESSED` with an `errorMessage`': {
    says: 'processed by LinkedIn but failed payload validation',
    examples: [
      { task: { status: 'PROCESSED', errorMessage: 'bad' }, operation: 'UPDATE', taskAction: 'reject-job' },
    ],
  },
  'task `FAILED` "Operation type UPDATE is not allowed for a non-existing job"': {
    says: 'sent once with CREATE',
    examples: [
      {
        task: {
          status: 'FAILED',
          errorMessage: 'Operation type UPDATE is not allowed for a non-existing job',
        },
        operation: 'UPDATE',
        taskAction: 'create',
      },
    ],
  },
  'task `FAILED` "Trying to create a job with same partnerIdentifier already exists': {
    says: '`CREATED`, confirmed',
    examples: [
      {
        task: {
          status: 'FAILED',
          errorMessage: 'Trying to create a job with same partnerIdentifier already exists.',
        },
        operation: 'CREATE',
        taskAction: 'confirm',
      },
      {
        answer: {
          source: 'element',
          status: 400,
          operation: 'CREATE',
          message: 'duplicate creation request',
        },
        action: 'already-done',
      },
    ],
  },
  'task `FAILED` otherwise': {
    says: '`REJECTED` with the task',
    examples: [
      {
        task: { status: 'FAILED', errorMessage: 'title too long' },
        operation: 'UPDATE',
        taskAction: 'reject-job',
      },
    ],
  },
  'a task status LinkedIn does not document': {
    says: 'not finished yet',
    examples: [
      { task: { status: 'QUEUED' }, operation: 'UPDATE', taskAction: 'not-finished' },
      { task: { status: 3 }, operation: 'CLOSE', taskAction: 'not-finished' },
    ],
  },
  'task still `IN_PROGRESS`': {
    says: '`UNCONFIRMED`',
    examples: [{ task: { status: 'IN_PROGRESS' }, operation: 'UPDATE', taskAction: 'not-finished' }],
  },
};

const keyOf = (answer: string) => Object.keys(ROWS).filter((key) => answer.startsWith(key));

describe('the documented answer table matches linkedin/answers.ts', () => {
  const rows = documentedRows();

  test('every documented row is one known row, and every known row is documented', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const [answer] of rows) expect([answer, keyOf(answer)]).toEqual([answer, [expect.any(String)]]);
    const documented = rows.flatMap(([answer]) => keyOf(answer));
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ROWS).sort());
  });

  test.each(Object.keys(ROWS))('the row "%s" says what the code does', (key) => {
    const row = rows.find(([answer]) => answer.startsWith(key));
    const { says, examples } = ROWS[key]!;
    expect(row?.[1]).toContain(says);
    for (const example of examples) {
      if ('answer' in example)
        expect([example.answer, actionFor(example.answer)]).toEqual([example.answer, example.action]);
      else if ('task' in example) {
        const reading = readTask(example.task.status, example.task.errorMessage);
        expect([example.task, taskAction(example.operation, reading)]).toEqual([
          example.task,
          example.taskAction,
        ]);
      } else expect(failureFor(example.error)).toMatchObject({ type: example.failure, retry: example.retry });
    }
  });

  test('every rule of the table is shown by a documented row', () => {
    const shown = new Set<AnswerRule>();
    for (const { examples } of Object.values(ROWS)) {
      for (const example of examples) if ('answer' in example) shown.add(ruleFor(example.answer));
    }
    expect(ANSWER_RULES.filter((rule) => !shown.has(rule))).toEqual([]);
  });
});
