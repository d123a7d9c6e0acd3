// A1-style references when columns are inserted into a sheet: formulas, ranges and merges that point at or
// beyond the insertion column move right, everything else stays. exceljs's spliceColumns moves cells and
// column definitions but not the references, so a review that inserts its result columns fixes them here.

/** 1-based column number of a column name ("A" -> 1, "AA" -> 27). */
export function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** Column name of a 1-based column number (1 -> "A"). */
export function colName(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

/** The sheet name as a formula writes it: quoted when it is not a plain identifier. */
export function quoteSheet(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !/^[A-Za-z]{1,3}\d+$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`;
}

function unquoteSheet(prefix: string): string {
  const p = prefix.slice(0, -1); // drop "!"
  return p.startsWith("'") ? p.slice(1, -1).replace(/''/g, "'") : p;
}

// A cell reference or a range: optional sheet prefix, then $col$row (row optional for whole-column ranges).
const REF =
  /(?<![\w.$'])((?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?(\$?)([A-Z]{1,3})(\$?)(\d+)?(?::(\$?)([A-Z]{1,3})(\$?)(\d+)?)?(?![\w(!.])/g;

/**
 * The formula cut into code and string literals, alternately (even indexes code, odd indexes `"..."` literals with
 * their `""` escapes). A quoted sheet name (`'Inv "Q1", x'!C2`, with `''` escapes) is code: a double quote inside
 * it does not start a string.
 */
export function splitStrings(formula: string): string[] {
  const parts: string[] = [];
  let code = '';
  for (let i = 0; i < formula.length; ) {
    const ch = formula[i];
    if (ch === "'" || ch === '"') {
      // to the closing quote; a doubled quote is an escaped one
      let j = i + 1;
      for (; j < formula.length; j++) {
        if (formula[j] !== ch) continue;
        if (formula[j + 1] === ch) j++;
        else break;
      }
      const quoted = formula.slice(i, j + 1);
      if (ch === "'") code += quoted;
      else {
        parts.push(code, quoted);
        code = '';
      }
      i = j + 1;
    } else {
      code += ch;
      i++;
    }
  }
  parts.push(code);
  return parts;
}

/**
 * Shifts the column part of every reference to `target` in `formula` (written on sheet `own`) by `count` when
 * it is at or right of column `at`. String literals are left alone. Names and functions are not references.
 */
export function shiftFormula(formula: string, own: string, target: string, at: number, count: number): string {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const shiftCol = (dollar: string, letters: string) => {
    const n = colNumber(letters);
    return dollar + colName(n >= at ? n + count : n);
  };
  return splitStrings(formula)
    .map((part, i) => {
      if (i % 2 === 1) return part; // a string literal
      return part.replace(REF, (m, prefix: string | undefined, d1, c1, d2, r1, d3, c2, d4, r2) => {
        const second = c2 !== undefined;
        // A bare word ("SUM", "TRUE") without a row is a reference only as half of a whole-column range.
        if (r1 === undefined && !(second && r2 === undefined)) return m;
        if (second && (r1 === undefined) !== (r2 === undefined)) return m;
        const sheet = prefix ? unquoteSheet(prefix) : own;
        if (!same(sheet, target)) return m;
        let out = `${prefix ?? ''}${shiftCol(d1, c1)}${d2}${r1 ?? ''}`;
        if (second) out += `:${shiftCol(d3, c2)}${d4}${r2 ?? ''}`;
        return out;
      });
    })
    .join('');
}

/** Shifts a plain range list ("A1:C3 E5", no sheet prefix) on the target sheet itself. */
export function shiftRange(ref: string, at: number, count: number): string {
  return shiftFormula(ref, '\u0000', '\u0000', at, count);
}
