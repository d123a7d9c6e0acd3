import request from 'supertest';
import { RowGate, DEFAULT_ROWS_IN_FLIGHT } from '../server/service/admission';
import { API } from '../server/service/app';
import { serviceConfig, StartupError } from '../server/service/main';
import { serviceHarness } from './support/service-app';

/** A task that finishes when told to, recording when it started. */
function task(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    finish = res;
    fail = rej;
  });
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    finish: () => finish(),
    fail: (e: Error) => fail(e),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('RowGate (admission of classification requests)', () => {
  test('admits requests while their rows fit, the rest wait first come first served', async () => {
    const gate = new RowGate(1000);
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => task(log, n));
    const runs = [gate.run(500, a.work), gate.run(500, b.work), gate.run(500, c.work), gate.run(100, d.work)];
    await tick();
    // c and d wait: the first come first served, so d does not overtake c
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.state).toEqual({ rows: 1000, waiting: 2 });
    b.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a.finish();
    await tick();
    expect(log.slice(-2)).toEqual(['end a', 'start d']);
    c.finish();
    d.finish();
    await Promise.all(runs);
    expect(gate.state).toEqual({ rows: 0, waiting: 0 });
  });

  test('a request larger than the limit runs alone once nothing else runs', async () => {
    const gate = new RowGate(1000);
    const log: string[] = [];
    const small = task(log, 'small');
    const big = task(log, 'big');
    const after = task(log, 'after');
    const runs = [gate.run(10, small.work), gate.run(5000, big.work), gate.run(10, after.work)];
    await tick();
    expect(log).toEqual(['start small']);
    small.finish();
    await tick();
    expect(log).toEqual(['start small', 'end small', 'start big']);
    expect(gate.state).toEqual({ rows: 5000, waiting: 1 });
    big.finish();
    await tick();
    expect(log.slice(-1)).toEqual(['start after']);
    after.finish();
    await Promise.all(runs);
  });

  test('a failing request frees its rows and its error reaches the caller', async () => {
    const gate = new RowGate(500);
    const log: string[] = [];
    const bad = task(log, 'bad');
    const next = task(log, 'next');
    const failed = gate.run(500, bad.work);
    const waiting = gate.run(500, next.work);
    await tick();
    bad.fail(new Error('worker died'));
    await expect(failed).rejects.toThrow('worker died');
    await tick();
    expect(log).toContain('start next');
    next.finish();
    await waiting;
    expect(gate.state).toEqual({ rows: 0, waiting: 0 });
  });

  test('refuses a limit that is not a positive whole number', () => {
    expect(() => new RowGate(0)).toThrow('positive whole number');
    expect(() => new RowGate(2.5)).toThrow('positive whole number');
  });
});

describe('ROWS_IN_FLIGHT in the service', () => {
  const h = serviceHarness('hs-admission-');
  afterAll(() => h.close());

  test('default and validation', () => {
    expect(serviceConfig({}).rowsInFlight).toBe(DEFAULT_ROWS_IN_FLIGHT);
    expect(serviceConfig({ ROWS_IN_FLIGHT: '250' }).rowsInFlight).toBe(250);
    expect(() => serviceConfig({ ROWS_IN_FLIGHT: 'many' })).toThrow(StartupError);
    expect(() => serviceConfig({ ROWS_IN_FLIGHT: '0' })).toThrow(/ROWS_IN_FLIGHT must be a positive whole number/);
  });

  test('requests beyond the limit wait and are all answered and recorded, each as sent', async () => {
    const { app, store } = h.makeApp({ rowsInFlight: 2 });
    const bodies = Array.from({ length: 6 }, (_, i) => ({
      rows: [{ description: `cotton t-shirt for men, style ${i}` }, { description: `stainless steel kitchen knife ${i}` }, { description: `leather handbag ${i}` }],
    }));
    const answers = await Promise.all(bodies.map((b, i) => request(app).post(`${API}/classify`).send(b)));
    for (const [i, r] of answers.entries()) {
      expect(r.status).toBe(200);
      expect(r.body.rows.map((row: { description: string }) => row.description)).toEqual(bodies[i].rows.map((x) => x.description));
      const stored = await store.getRequest(r.body.request_id);
      expect(stored?.rows).toHaveLength(3);
    }
  });
});
