// A fake Excel for the task pane in a real browser: injected with page.addInitScript before any page script, it
// defines `Office` (host Excel) and `Excel.run` over an in-memory workbook. Like Excel, properties must be loaded and
// synced before they are read, writes are queued and applied at context.sync(), value and format arrays must match
// the range's shape, a value written into a cell without the text format is converted (digits become numbers,
// losing leading zeros), and syncs are counted. The office.js the page loads afterwards cannot replace it.
// Configuration: window.__fakeExcelConfig = { sheet, cells: { A1: value, ... }, selection: 'B1:B51', syncDelayMs }.
(function () {
  'use strict';
  var cfg = window.__fakeExcelConfig || {};
  var SHEET = cfg.sheet || 'Sheet1';

  function colIndex(letters) {
    var n = 0;
    for (var i = 0; i < letters.length; i++) n = n * 26 + letters.charCodeAt(i) - 64;
    return n - 1;
  }
  function letters(c) {
    var s = '';
    for (var n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  }
  function parse(addr) {
    var bang = addr.lastIndexOf('!');
    var a = bang >= 0 ? addr.slice(bang + 1) : addr;
    var parts = a.replace(/\$/g, '').split(':');
    var p = /^([A-Z]+)(\d+)$/.exec(parts[0]);
    var q = /^([A-Z]+)(\d+)$/.exec(parts[1] || parts[0]);
    if (!p || !q) throw new Error('InvalidArgument: bad address ' + addr);
    return { r0: Number(p[2]) - 1, c0: colIndex(p[1]), r1: Number(q[2]) - 1, c1: colIndex(q[1]) };
  }
  function a1(b) {
    var tl = letters(b.c0) + (b.r0 + 1);
    return b.r0 === b.r1 && b.c0 === b.c1 ? tl : tl + ':' + letters(b.c1) + (b.r1 + 1);
  }
  var key = function (r, c) {
    return r + ',' + c;
  };

  var book = {
    cells: new Map(),
    formats: new Map(),
    fills: new Map(),
    bold: new Set(),
    selection: parse(cfg.selection || 'A1'),
    selectedAreas: [],
    syncs: 0,
    /** Cells written per sync, to check that writes are batched. */
    syncSizes: [],
    runs: 0,
    /** Strings that reached a cell without the text format and would start a formula. */
    formulaWrites: 0,
    handlers: [],
    syncDelayMs: cfg.syncDelayMs || 0,
    failNextSync: null,
  };
  Object.keys(cfg.cells || {}).forEach(function (a) {
    var b = parse(a);
    book.cells.set(key(b.r0, b.c0), cfg.cells[a]);
  });

  function notLoaded(name) {
    var e = new Error('PropertyNotLoaded: The property \'' + name + '\' is not available. Before reading the property\'s value, call the load method on the containing object and call "context.sync()" on the associated request context.');
    e.code = 'PropertyNotLoaded';
    return e;
  }

  function Range(ctx, b) {
    var self = this;
    var loaded = {};
    var want = {};
    var shape = { rows: b.r1 - b.r0 + 1, cols: b.c1 - b.c0 + 1 };
    function grid(get) {
      var out = [];
      for (var r = b.r0; r <= b.r1; r++) {
        var row = [];
        for (var c = b.c0; c <= b.c1; c++) row.push(get(r, c));
        out.push(row);
      }
      return out;
    }
    function checkShape(v, what) {
      if (!Array.isArray(v) || v.length !== shape.rows || v.some(function (row) { return !Array.isArray(row) || row.length !== shape.cols; })) {
        throw new Error('InvalidArgument: ' + what + ' is not a ' + shape.rows + ' x ' + shape.cols + ' array for ' + a1(b));
      }
    }
    function each(f) {
      for (var r = b.r0; r <= b.r1; r++) for (var c = b.c0; c <= b.c1; c++) f(r, c, r - b.r0, c - b.c0);
    }
    var props = {
      address: function () { return SHEET + '!' + a1(b); },
      rowIndex: function () { return b.r0; },
      columnIndex: function () { return b.c0; },
      rowCount: function () { return shape.rows; },
      columnCount: function () { return shape.cols; },
      values: function () { return grid(function (r, c) { var v = book.cells.get(key(r, c)); return v === undefined ? '' : v; }); },
      numberFormat: function () { return grid(function (r, c) { return book.formats.get(key(r, c)) || 'General'; }); },
    };
    Object.keys(props).forEach(function (name) {
      Object.defineProperty(self, name, {
        get: function () {
          if (!(name in loaded)) throw notLoaded(name);
          return loaded[name];
        },
        set: function (v) {
          if (name === 'values') {
            ctx._queue(function () {
              checkShape(v, 'values');
              var n = 0;
              each(function (r, c, i, j) {
                var x = v[i][j];
                var text = (book.formats.get(key(r, c)) || 'General') === '@';
                if (typeof x === 'string' && !text) {
                  if (/^[=+\-@]/.test(x)) book.formulaWrites++;
                  if (/^[+-]?\d+(\.\d+)?$/.test(x)) x = Number(x);
                }
                if (typeof x === 'string' && text && /^[=+\-@]/.test(x)) book.formulaWrites++;
                book.cells.set(key(r, c), x);
                n++;
              });
              return n;
            });
          } else if (name === 'numberFormat') {
            ctx._queue(function () {
              checkShape(v, 'numberFormat');
              each(function (r, c, i, j) { book.formats.set(key(r, c), v[i][j]); });
              return 0;
            });
          } else throw new Error('InvalidArgument: ' + name + ' is read-only');
        },
      });
    });
    this.load = function (spec) {
      String(spec).split(',').forEach(function (p) {
        p = p.trim();
        if (!(p in props)) throw new Error('InvalidArgument: cannot load ' + p);
        want[p] = true;
      });
      ctx._loads.push(function () {
        Object.keys(want).forEach(function (p) { loaded[p] = props[p](); });
        want = {};
      });
      return this;
    };
    var ws = new Worksheet(ctx);
    this.worksheet = ws;
    var fill = {};
    Object.defineProperty(fill, 'color', {
      set: function (v) { ctx._queue(function () { each(function (r, c) { book.fills.set(key(r, c), v); }); return 0; }); },
      get: function () { throw notLoaded('color'); },
    });
    fill.clear = function () { ctx._queue(function () { each(function (r, c) { book.fills.delete(key(r, c)); }); return 0; }); };
    var font = {};
    Object.defineProperty(font, 'bold', {
      set: function (v) { ctx._queue(function () { each(function (r, c) { if (v) book.bold.add(key(r, c)); else book.bold.delete(key(r, c)); }); return 0; }); },
      get: function () { throw notLoaded('bold'); },
    });
    this.format = { fill: fill, font: font };
    this.select = function () { ctx._queue(function () { book.selectedAreas = [a1(b)]; book.selection = b; return 0; }); };
  }

  function Worksheet(ctx) {
    var loaded = false;
    var self = this;
    Object.defineProperty(this, 'name', {
      get: function () {
        if (!loaded) throw notLoaded('name');
        return SHEET;
      },
    });
    this.load = function () {
      ctx._loads.push(function () { loaded = true; });
      return self;
    };
    this.getRange = function (addr) { return new Range(ctx, parse(addr)); };
    this.getRanges = function (addrs) {
      var areas = addrs.split(',').map(function (a) { return a1(parse(a.trim())); });
      return { select: function () { ctx._queue(function () { book.selectedAreas = areas; return 0; }); } };
    };
    this.activate = function () {};
  }

  function Context() {
    var ctx = this;
    var queue = [];
    this._loads = [];
    this._queue = function (op) { queue.push(op); };
    this._pending = function () { return queue.length + ctx._loads.length; };
    this.workbook = {
      getSelectedRange: function () { return new Range(ctx, book.selection); },
      worksheets: {
        getItem: function (name) {
          if (name !== SHEET) throw new Error('ItemNotFound: ' + name);
          return new Worksheet(ctx);
        },
      },
      onSelectionChanged: { add: function (h) { book.handlers.push(h); return {}; } },
    };
    this.sync = function () {
      var ops = queue;
      var loads = ctx._loads;
      queue = [];
      ctx._loads = [];
      book.syncs++;
      return new Promise(function (resolve, reject) {
        setTimeout(function () {
          try {
            if (book.failNextSync) {
              var m = book.failNextSync;
              book.failNextSync = null;
              throw new Error(m);
            }
            var n = 0;
            ops.forEach(function (op) { n += op(); });
            loads.forEach(function (l) { l(); });
            if (n) book.syncSizes.push(n);
            resolve();
          } catch (e) {
            reject(e);
          }
        }, book.syncDelayMs);
      });
    };
  }

  var Excel = {
    run: function (cb) {
      book.runs++;
      var ctx = new Context();
      return Promise.resolve(cb(ctx)).then(function (v) {
        // Excel.run sends whatever is still queued when the batch function returns.
        return ctx._pending() ? ctx.sync().then(function () { return v; }) : v;
      });
    },
  };
  var Office = {
    Promise: window.Promise,
    HostType: { Excel: 'Excel', Word: 'Word' },
    context: { host: 'Excel', platform: 'OfficeOnline' },
    onReady: function (cb) {
      var info = { host: 'Excel', platform: 'OfficeOnline' };
      return new Promise(function (resolve) {
        setTimeout(function () {
          if (cb) cb(info);
          resolve(info);
        }, 0);
      });
    },
  };
  // office.js, loaded by the page after this script, must not replace or change the fakes.
  var guard = function (o) {
    return new Proxy(o, { set: function () { return true; }, defineProperty: function () { return true; }, deleteProperty: function () { return true; } });
  };
  Object.defineProperty(window, 'Office', { get: function () { return guard(Office); }, set: function () {}, configurable: false });
  Object.defineProperty(window, 'Excel', { get: function () { return guard(Excel); }, set: function () {}, configurable: false });

  window.__fakeExcel = {
    book: book,
    get: function (addr) { var b = parse(addr); return book.cells.get(key(b.r0, b.c0)); },
    set: function (addr, v) { var b = parse(addr); book.cells.set(key(b.r0, b.c0), v); },
    format: function (addr) { var b = parse(addr); return book.formats.get(key(b.r0, b.c0)); },
    fill: function (addr) { var b = parse(addr); return book.fills.get(key(b.r0, b.c0)); },
    isBold: function (addr) { var b = parse(addr); return book.bold.has(key(b.r0, b.c0)); },
    /** A block of values, '' for empty cells. */
    values: function (addr) {
      var b = parse(addr);
      var out = [];
      for (var r = b.r0; r <= b.r1; r++) {
        var row = [];
        for (var c = b.c0; c <= b.c1; c++) { var v = book.cells.get(key(r, c)); row.push(v === undefined ? '' : v); }
        out.push(row);
      }
      return out;
    },
    select: function (addr) {
      book.selection = parse(addr);
      book.handlers.forEach(function (h) { h({ address: addr }); });
    },
    stats: function () { return { syncs: book.syncs, runs: book.runs, syncSizes: book.syncSizes.slice(), formulaWrites: book.formulaWrites, selectedAreas: book.selectedAreas.slice() }; },
  };
})();
