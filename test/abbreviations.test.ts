// Abbreviations read from the model's vocabulary: an unknown word in consonants only is read as the known
// word of the same consonant skeleton that contains it, when that word clearly outnumbers the others.
import { buildLexicon, expandAbbreviations, readAbbreviation, skeleton } from '../server/pipeline/abbreviations';
import { normalise } from '../server/pipeline/normalise';

const texts = [
  ...Array(6).fill('jasmine shower gel'),
  ...Array(3).fill('vanilla body lotion'),
  'jasmin tea', // a rarer word of the same skeleton as "jasmine"
  ...Array(30).fill('fresh fruit'),
  ...Array(5).fill('frit'), // same skeleton as "fruit", but far rarer
  ...Array(25).fill('stone tiles'),
  ...Array(20).fill('railway station'),
  'dairy products',
];
const vocab = new Set(texts.flatMap((t) => normalise(t).tokens));
const known = (stem: string) => vocab.has(stem);
const lexicon = buildLexicon(texts, known);

describe('reading abbreviations from the vocabulary', () => {
  test('the skeleton is the first letter, then the consonants, each run once', () => {
    expect(skeleton('vanilla')).toBe('vnl');
    expect(skeleton('jasmine')).toBe('jsmn');
    expect(skeleton('aftr')).toBe('aftr');
  });

  test('a consonant-only word is read as the dominant known word of its skeleton that contains it in order', () => {
    expect(readAbbreviation('jsmn', lexicon)).toBe('jasmine');
    expect(readAbbreviation('shwr', lexicon)).toBe('shower');
    expect(readAbbreviation('frt', lexicon)).toBe('fruit'); // 30 against 5
  });

  test('no reading when the evidence is weak or split, or the word has vowels', () => {
    expect(readAbbreviation('stn', lexicon)).toBeNull(); // stone 25, station 20
    expect(readAbbreviation('lunch', lexicon)).toBeNull(); // a word, not an abbreviation
    expect(readAbbreviation('bd', lexicon)).toBeNull(); // too short
    expect(readAbbreviation('xqz', lexicon)).toBeNull(); // nothing of that skeleton
  });

  test('the query gains the known words, known words stay, and each reading is reported', () => {
    const { query, readings } = expandAbbreviations(normalise('jsmn frt gel 250ml'), lexicon, known);
    expect(readings).toEqual([
      { word: 'jsmn', as: 'jasmine' },
      { word: 'frt', as: 'fruit' },
    ]);
    expect(query.tokens).toEqual(normalise('jasmine fruit gel 250ml').tokens);
    const plain = normalise('fresh fruit');
    expect(expandAbbreviations(plain, lexicon, known)).toEqual({ query: plain, readings: [] });
    expect(expandAbbreviations(normalise('jsmn gel'), null, known).readings).toEqual([]);
  });

  test('a word of the model never comes from outside it: unknown words are not in the lexicon', () => {
    const small = buildLexicon(['jasmine tea', 'jasmine tea'], (s) => s !== normalise('jasmine').tokens[0]);
    expect(readAbbreviation('jsmn', small)).toBeNull();
  });
});
