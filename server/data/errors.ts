/**
 * A problem with the reference data: a missing or unreadable file, a wrong header, a malformed row.
 * `file` is the path relative to the data directory when known, so messages read like
 * `nomenclature/hs2022.csv: line 12: level "5" is not 2, 4 or 6`.
 */
export class DataError extends Error {
  constructor(
    public file: string,
    public problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DataError';
  }
}
