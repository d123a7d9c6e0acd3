import { fitIsotonic, applyCalibration, expectedCalibrationError, reviewThreshold, reliability, wilsonLower } from '../server/pipeline/calibrate';
import { textKind } from '../server/pipeline/kind';

describe('the kind of text, for calibration per kind', () => {
  test('short lines are invoice lines; prose is a ruling; keyword titles are listings', () => {
    expect(textKind('MENS CREW NECK TEE 100% COTTON')).toBe('invoice');
    expect(textKind('a five piece tool pouch kit containing an aluminum carabiner clip, combination pliers and a knife')).toBe('ruling');
    expect(textKind('Women Summer Dress Floral Print V Neck Short Sleeve Casual Beach Sundress Ladies Clothing')).toBe('listing');
  });

  test('the telegraphic upper-case sentences of EU BTI rulings are ruling prose, not a listing', () => {
    const bti = 'WOVEN INDUSTRIAL OCCUPATIONAL JACKET FOR MEN. REACHING DOWN TO BELOW THE WAIST. V-NECK WITH COLLAR. COMPLETE FRONT OPENING';
    expect(textKind(bti)).toBe('ruling');
    // one full stop (an abbreviation, a model number) does not make a title prose
    expect(textKind('Wireless Earbuds Bluetooth 5.3 Headphones Noise Cancelling Sport Earphones Waterproof Touch Control')).toBe('listing');
  });
});

describe('calibration', () => {
  test('isotonic map is monotone and maps over-confident scores down', () => {
    // Scores of 0.9 that are right half of the time, scores of 0.2 never right.
    const data = [
      ...Array.from({ length: 50 }, (_, i) => ({ p: 0.9, correct: i % 2 === 0 })),
      ...Array.from({ length: 50 }, () => ({ p: 0.2, correct: false })),
    ];
    const cal = fitIsotonic(data);
    expect(applyCalibration(cal, 0.9)).toBeCloseTo(0.5, 5);
    expect(applyCalibration(cal, 0.2)).toBeCloseTo(0, 5);
    for (let i = 1; i < cal.y.length; i++) expect(cal.y[i]).toBeGreaterThanOrEqual(cal.y[i - 1]);
    for (let p = 0; p <= 1; p += 0.05) expect(applyCalibration(cal, p)).toBeLessThanOrEqual(applyCalibration(cal, Math.min(1, p + 0.05)) + 1e-12);
  });

  test('pools adjacent violators', () => {
    const cal = fitIsotonic([
      { p: 0.1, correct: true },
      { p: 0.2, correct: false },
      { p: 0.3, correct: true },
    ]);
    // 0.1 (1) and 0.2 (0) violate order and pool to 0.5.
    expect(cal.y.slice(1, -1)).toEqual([0.5, 1]);
  });

  test('expected calibration error is 0 when confidence equals accuracy and large when it does not', () => {
    const good = Array.from({ length: 100 }, (_, i) => ({ p: 0.75, correct: i % 4 !== 0 }));
    expect(expectedCalibrationError(good)).toBeCloseTo(0, 10);
    const bad = Array.from({ length: 100 }, () => ({ p: 0.95, correct: false }));
    expect(expectedCalibrationError(bad)).toBeCloseTo(0.95, 5);
    expect(reliability(bad).filter((b) => b.n > 0)).toHaveLength(1);
  });

  test('review threshold keeps the rows whose precision reaches the target', () => {
    const data = [
      { p: 0.95, correct: true },
      { p: 0.9, correct: true },
      { p: 0.8, correct: true },
      { p: 0.7, correct: false },
      { p: 0.6, correct: false },
      { p: 0.5, correct: true },
    ];
    expect(reviewThreshold(data, 1)).toBe(0.8);
    expect(reviewThreshold(data, 0.75)).toBe(0.7);
    expect(reviewThreshold([{ p: 0.9, correct: false }], 0.5)).toBe(1);
  });

  test('with a margin of standard errors the threshold needs more rows above it', () => {
    // 20 rows right at 0.99 .. 0.80, then one wrong at 0.79, then 9 right: the precision stays >= 95% to the end.
    const data = [...Array.from({ length: 20 }, (_, i) => ({ p: 0.99 - i * 0.01, correct: true })), { p: 0.79, correct: false }, ...Array.from({ length: 9 }, (_, i) => ({ p: 0.78 - i * 0.01, correct: true }))];
    expect(reviewThreshold(data, 0.95)).toBeCloseTo(0.7, 10);
    // Half a standard error down: 29/30 (96.7%) is not enough, 20/20 is.
    expect(wilsonLower(29, 30, 0.5)).toBeLessThan(0.95);
    expect(wilsonLower(20, 20, 0.5)).toBeGreaterThan(0.95);
    expect(reviewThreshold(data, 0.95, 0.5)).toBeCloseTo(0.8, 10);
    expect(reviewThreshold(data, 0.95, 3)).toBe(1);
    expect(wilsonLower(7, 10, 0)).toBe(0.7);
  });
});
