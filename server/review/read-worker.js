// The worker thread of readRowsApart (rows.ts): reads the rows of a review's input and posts them back. Plain
// JavaScript so it can register tsx before loading TypeScript.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { readRows } = require('./rows.ts');
const { post } = require('./post.js');

post(parentPort, readRows(workerData));
