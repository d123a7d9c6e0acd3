// What the threads of apart.ts post back: {value} or {error} (name, message and stack: errors do not cross threads whole).
exports.post = (port, promise) =>
  Promise.resolve(promise).then(
    (value) => port.postMessage({ value }),
    (e) => port.postMessage({ error: { name: e && e.name, message: e && e.message ? e.message : String(e), stack: e && e.stack } }),
  );
