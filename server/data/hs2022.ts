import type { HsNode, HsSection, HsTree } from '../types';
import { DataError } from './errors';
import { DATA_FILES, type FileLog, readCsv, relativeName } from './files';

/** Rows of hs2022.csv that are not part of the nomenclature. */
const ARTEFACT_CODES = new Set(['99', '9999', '999999', 'TOTAL']);
const ROOT_PARENT = 'TOTAL';

/**
 * Load the HS 2022 tree (chapters, headings, subheadings) and its 21 sections from
 * nomenclature/hs2022.csv and nomenclature/hs2022-sections.csv. Every row is validated; any problem is a
 * DataError naming the file and line.
 */
export function loadHsTree(dir: string, log?: FileLog): HsTree {
  const sections = loadSections(dir, log);

  const file = relativeName(dir, DATA_FILES.hs2022);
  const rows = readCsv(dir, DATA_FILES.hs2022, ['section', 'hscode', 'description', 'parent', 'level'], log);
  const nodes = new Map<string, HsNode>();
  const lineOf = new Map<string, number>();
  const fail = (line: number, problem: string): never => {
    throw new DataError(file, `line ${line}: ${problem}`);
  };

  for (const { line, values } of rows) {
    const code = values.hscode.trim();
    if (ARTEFACT_CODES.has(code)) continue;
    const levelText = values.level.trim();
    if (levelText !== '2' && levelText !== '4' && levelText !== '6') {
      fail(line, `level "${levelText}" is not 2, 4 or 6`);
    }
    const level = Number(levelText) as 2 | 4 | 6;
    if (!/^\d+$/.test(code) || code.length !== level) {
      fail(line, `code "${code}" is not ${level} digits (level ${level})`);
    }
    if (nodes.has(code)) fail(line, `duplicate code ${code} (first on line ${lineOf.get(code)})`);
    const description = values.description.trim();
    if (!description) fail(line, `empty description for ${code}`);
    const section = values.section.trim();
    if (!sections.has(section)) fail(line, `unknown section "${section}" for ${code}`);
    const parentText = values.parent.trim();
    let parent: string | null;
    if (level === 2) {
      if (parentText !== ROOT_PARENT && parentText !== '') fail(line, `chapter ${code} has parent "${parentText}" (expected ${ROOT_PARENT})`);
      parent = null;
    } else {
      const expected = code.slice(0, level - 2);
      if (parentText !== expected) fail(line, `parent "${parentText}" of ${code} should be ${expected}`);
      parent = parentText;
    }
    nodes.set(code, { code, level, description, parent, section });
    lineOf.set(code, line);
  }

  // Parents may in principle come after their children: check once everything is read.
  for (const node of nodes.values()) {
    if (node.parent === null) continue;
    const parent = nodes.get(node.parent);
    if (!parent) fail(lineOf.get(node.code)!, `parent ${node.parent} of ${node.code} does not exist`);
    else if (parent.section !== node.section) {
      fail(lineOf.get(node.code)!, `section ${node.section} of ${node.code} differs from its parent's (${parent.section})`);
    }
  }

  const subheadings = [...nodes.values()].filter((n) => n.level === 6).map((n) => n.code).sort();
  return { sections, nodes, subheadings };
}

function loadSections(dir: string, log?: FileLog): Map<string, HsSection> {
  const file = relativeName(dir, DATA_FILES.hsSections);
  const sections = new Map<string, HsSection>();
  for (const { line, values } of readCsv(dir, DATA_FILES.hsSections, ['section', 'name'], log)) {
    const id = values.section.trim();
    const name = values.name.trim();
    if (!/^[IVXLC]+$/.test(id)) throw new DataError(file, `line ${line}: section "${id}" is not a Roman numeral`);
    if (!name) throw new DataError(file, `line ${line}: empty name for section ${id}`);
    if (sections.has(id)) throw new DataError(file, `line ${line}: duplicate section ${id}`);
    sections.set(id, { id, name });
  }
  return sections;
}

/** Ancestors of an HS code (chapter, heading) followed by the node itself; unknown codes are skipped. */
export function hsLineage(hs: HsTree, code: string): HsNode[] {
  const out: HsNode[] = [];
  for (const len of [2, 4, 6]) {
    if (code.length < len) break;
    const node = hs.nodes.get(code.slice(0, len));
    if (node) out.push(node);
  }
  return out;
}
