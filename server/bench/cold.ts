// Child process of the benchmark: opens the engine and reports how long after process start it was ready.
import { openEngine } from '../engine';

openEngine();
console.log(JSON.stringify({ readyMs: Math.round(performance.now()) }));
