// The worker thread of writeReviewedApart (write.ts): writes the reviewed workbook and posts where its columns went.
// Plain JavaScript so it can register tsx before loading TypeScript.
require('tsx/cjs');
const { parentPort, workerData } = require('node:worker_threads');
const { writeReviewed } = require('./write.ts');
const { post } = require('./post.js');

post(parentPort, writeReviewed(workerData));
