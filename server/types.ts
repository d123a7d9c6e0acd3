// Plain data passed between the pipeline steps. No behaviour lives here.

export type Country = 'US' | 'EU';

/** A node of the HS 2022 tree: chapter (2 digits), heading (4) or subheading (6). */
export interface HsNode {
  code: string;
  level: 2 | 4 | 6;
  description: string;
  /** Parent code (chapter for a heading, heading for a subheading); null for chapters. */
  parent: string | null;
  /** Roman numeral of the section, e.g. "XI". */
  section: string;
}

export interface HsSection {
  id: string;
  name: string;
}

export interface HsTree {
  sections: Map<string, HsSection>;
  /** Every chapter, heading and subheading by code. */
  nodes: Map<string, HsNode>;
  /** All 6-digit subheadings, sorted. */
  subheadings: string[];
}

/** A national tariff line: a US HTS 10-digit (or leaf 8-digit) line, or an EU CN 8-digit line. */
export interface NationalLine {
  country: Country;
  /** Digits only, 8 or 10 long. */
  code: string;
  hs6: string;
  /** The line's own text, e.g. "Other". */
  description: string;
  /** Texts of the ancestors from the heading down to the line itself (heading first). */
  path: string[];
  /** The path joined into one readable description. */
  fullDescription: string;
  /** Unit of quantity (US, e.g. "doz., kg") or supplementary unit (EU); null when none. */
  unit: string | null;
  /** General (MFN) rate of duty, inherited from the 8-digit line for US statistical lines; null for EU. */
  generalRate: string | null;
}

export interface Correlation {
  /** HS 2017 subheading -> HS 2022 subheadings it maps to. */
  from2017: Map<string, string[]>;
  /** HS 2022 subheading -> HS 2017 subheadings. */
  to2017: Map<string, string[]>;
}

export type ExampleSource =
  | 'uk-parcel'
  | 'cross'
  | 'atlas'
  | 'uk-glossary'
  | 'eu-bti'
  | 'uk-atar'
  | 'marketplace'
  /** HMRC's machine-written paraphrases: widen the vocabulary, never reported as real goods. */
  | 'uk-synthetic';

/** A labelled description -> code pair. */
export interface Example {
  /** Stable id, e.g. "uk-parcel:17", "cross:N271132:0", "atlas:atlas_validation_00003". */
  id: string;
  source: ExampleSource;
  text: string;
  /** Longer text about the goods when the source has it (CROSS facts); used for training only. */
  detail?: string;
  /** HS 2022 subheading. */
  hs6: string;
  /** The code as the source gave it, digits only (8/10-digit national code, or HS 6). */
  code: string;
  /** CROSS ruling number, e.g. "NY N271132". */
  ruling?: string;
  date?: string;
  /** Set when the source code's HS 6 does not exist in HS 2022 and was mapped through the correlation table. */
  mappedFrom?: string;
}

/** A labelled example whose code could not be placed in HS 2022. Kept for reporting, never trained on. */
export interface UnmappedExample {
  id: string;
  source: ExampleSource;
  text: string;
  code: string;
  reason: string;
}

export interface SourceFile {
  /** Path relative to the data directory. */
  path: string;
  sha256: string;
}

export interface Dataset {
  dir: string;
  hs: HsTree;
  us: NationalLine[];
  eu: NationalLine[];
  correlation: Correlation;
  examples: Example[];
  unmapped: UnmappedExample[];
  files: SourceFile[];
}

/** A labelled example shown in support of a candidate. */
export interface ExampleRef {
  text: string;
  code: string;
  /** "company" for a company example (server/pipeline/company.ts), which also names who imported it and when. */
  source: ExampleSource | 'company';
  example_id?: string;
  who?: string;
  at?: string;
  item_id?: string;
  ruling?: string;
  date?: string;
  /** Cosine similarity of the example to the query (0 when it shares no term). */
  similarity: number;
}

export interface CandidateResult {
  hs6: string;
  /** The national code when a country was asked for and the text decides it, else the HS 6. */
  code: string;
  /** Calibrated probability that this code is right. */
  confidence: number;
  /** Official description of the HS 6. */
  description: string;
  examples: ExampleRef[];
  /** Full description of the national line, when one was chosen. */
  nationalDescription?: string;
  unit?: string | null;
  generalRate?: string | null;
  /** When a country was asked for but the text does not decide the national line. */
  missingDetail?: string;
  /** The most similar CBP CROSS rulings that assigned this code. */
  rulings: RulingRef[];
  /** When a country was asked for and the stated attributes do not decide the line: the likely line, and why. */
  likely?: LikelyLine;
  /** The details that would decide the subheading or the national line, as questions an analyst can answer. */
  questions?: string[];
  /** The stated attributes that decided the subheading (GRI 6) or the national line, with the official text met. */
  attributes?: StatedAttribute[];
}

/** The national line most labelled examples (or else the statistics) point to, when attributes do not decide. */
export interface LikelyLine {
  code: string;
  basis: string;
}

/** An attribute the description states that an official text turns on. */
export interface StatedAttribute {
  /** Where it decided: between subheadings of the heading (GRI 6) or between national lines. */
  level: 'subheading' | 'national';
  /** material, percent, knit, knitToShape, gender, retail, state, power, measure, assembled, use. */
  attribute: string;
  /** The official text it meets ("of cotton", "Men's or boys'"), or "not ..." for a line it excludes. */
  text: string;
  /** What the description states ("100% cotton", "men's", "250 g"). */
  stated: string;
}

/** A precedent: a CROSS ruling that assigned the candidate's code. */
export interface RulingRef {
  ruling: string;
  date: string | null;
  /** The code the ruling assigned, as it gave it. */
  code: string;
  subject: string;
  /** The code no longer exists in the current US HTS. */
  stale: boolean;
}

export interface ReasoningStep {
  rule: string;
  gri: string;
  action: 'exclude' | 'include' | 'prefer' | 'decide';
  codes: string[];
  citation: string;
  detail: string;
}

/** The reasoning an auditor can follow: which GRI decided, the rules applied, the Notes and precedents. */
export interface Reasoning {
  gri: string;
  steps: ReasoningStep[];
  notes: string[];
  rulings: RulingRef[];
  /** One line that fits a spreadsheet cell. */
  summary: string;
  /** Abbreviated words of the description read as known words (pipeline/abbreviations.ts), when any. */
  readings?: { word: string; as: string }[];
}

export type RowStatus = 'ok' | 'review' | 'error';

export interface ClassificationResult {
  status: RowStatus;
  candidates: CandidateResult[];
  /** Present on classified rows when the rules are on. */
  reasoning?: Reasoning;
  error?: string;
}
