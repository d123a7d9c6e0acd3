export { DataError } from './errors';
export {
  DATA_FILES,
  type CsvRecord,
  type CsvRow,
  CsvSyntaxError,
  type DataFileKey,
  type FileLog,
  parseCsv,
  readCsv,
  readDataFile,
  readDataJson,
  readDataText,
  relativeName,
  resolveDataDir,
  sha256,
} from './files';
export { hsLineage, loadHsTree } from './hs2022';
export { cleanPart, loadUsHts, type UsHtsStats } from './hts-us';
export { loadEuCn, type EuCnStats } from './eu-cn';
export { loadCorrelation } from './correlation';
export { citeRuling, type ExampleStats, loadExamples, placeHs6 } from './examples';
export { type LoadReport, loadDataset, loadDatasetWithReport } from './load';
