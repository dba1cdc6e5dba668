// The kubelet client's list of requests in flight: one timer for the earliest
// deadline stands in for a timer per request, so requests must still time out
// in order, never early, never after they were removed, and an empty list must
// hold no timer (the process may exit).
import t from 'tap';
import { setTimeout as delay } from 'node:timers/promises';
import { InFlight, type InFlightEntry } from '../../src/scrape/in-flight.js';

class Req implements InFlightEntry {
  prev: InFlightEntry | undefined = undefined;
  next: InFlightEntry | undefined = undefined;
  deadline = 0;
  inFlight = false;
  constructor(
    readonly name: string,
    public signal: AbortSignal | undefined = undefined,
  ) {}
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** A clock the test moves by hand: timers fire in real time, deadlines are read on it, so slow machines change nothing. */
function manualClock() {
  const clock = { ms: 0, now: () => clock.ms };
  return clock;
}

t.test('requests time out in the order they were sent, each once, removed ones never', async (t) => {
  const clock = manualClock();
  const expired: string[] = [];
  const list = new InFlight<Req>(40, (x) => expired.push(x.name), clock.now);
  const a = new Req('a');
  const b = new Req('b');
  const c = new Req('c');
  list.add(a); // deadline 40
  clock.ms = 15;
  list.add(b);
  list.add(c); // deadline 55
  list.remove(b);
  list.remove(b);
  t.equal(list.size, 2, 'removing twice removes once');
  clock.ms = 47;
  await delay(80); // the timer set for a (40 ms) has fired, and fires again for c meanwhile
  t.same(expired, ['a'], 'a at its deadline; c not yet');
  t.equal(list.size, 1);
  clock.ms = 55;
  await delay(40);
  t.same(expired, ['a', 'c'], 'then c, from the timer set again for it');
  t.equal(list.size, 0);
  t.notOk(a.inFlight || c.inFlight, 'expired requests are out of the list');
  t.notOk(b.inFlight);
});

t.test('a timer that fires before the deadline (a lagging clock) is set again, never expiring early', async (t) => {
  const clock = manualClock();
  const late: number[] = [];
  const list = new InFlight<Req>(20, (x) => late.push(clock.now() - x.deadline), clock.now);
  list.add(new Req('a')); // deadline 20 on the list's clock; the timer is set for 20 ms of real time
  clock.ms = 5; // the list's clock lags real time
  await delay(60);
  t.same(late, [], 'not expired when the timer first fired');
  clock.ms = 25;
  await delay(40);
  t.same(late, [5], 'expired once the deadline passed on the list clock, not before it');
  t.equal(list.size, 0);
});

t.test('an empty list holds no timer', async (t) => {
  const before = timers();
  const list = new InFlight<Req>(60_000, () => t.fail('nothing should expire'));
  const a = new Req('a');
  const b = new Req('b');
  list.add(a);
  list.add(b);
  t.equal(timers(), before + 1, 'one timer for two requests');
  list.remove(a);
  t.equal(timers(), before + 1, 'still one while b is in flight');
  list.remove(b);
  await delay(1);
  t.equal(timers(), before, 'none once the list is empty');
});

t.test('watching() lists the requests a signal may abort, in the order sent', async (t) => {
  const list = new InFlight<Req>(60_000, () => {});
  const one = new AbortController().signal;
  const two = new AbortController().signal;
  const reqs = [new Req('a', one), new Req('b', two), new Req('c', one), new Req('d')];
  for (const r of reqs) list.add(r);
  list.remove(reqs[2]!);
  t.same(list.watching(one).map((r) => r.name), ['a']);
  t.same(list.watching(two).map((r) => r.name), ['b']);
  for (const r of reqs) list.remove(r);
  t.same(list.watching(one), []);
});
