import assert from 'node:assert/strict';
import { parseRgb, shade } from '../../src/webviews/app/colors';
import { formatCount, formatSeconds, formatTick, formatValue } from '../../src/webviews/app/format';

describe('chart panel formatting', () => {
  it('formats values with significant digits, grouping, and short exponents', () => {
    assert.equal(formatValue(0.123456), '0.1235');
    assert.equal(formatValue(2000), '2,000');
    assert.equal(formatValue(12345.678), '12,350');
    assert.equal(formatValue(1.2346e-5), '1.235e-5');
    assert.equal(formatValue(4.5e7, 3), '4.5e7');
    assert.equal(formatValue(-0.5), '-0.5');
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(NaN), 'NaN');
  });

  it('labels ticks compactly: k on an axis past 10,000, only 1-2-5 on a log axis', () => {
    assert.equal(formatTick(2000, false, 12000), '2k');
    assert.equal(formatTick(2000, false, 8000), '2,000');
    assert.equal(formatTick(1.5e6, false, 2e6), '1.5M');
    assert.equal(formatTick(1e-7, true, 10), '1e-7');
    assert.equal(formatTick(3e-7, true, 10), '');
    assert.equal(formatTick(50, true, 1e4), '50');
    assert.equal(formatTick(0, false, 1), '0');
  });

  it('counts and durations read at a glance', () => {
    assert.deepEqual(
      [formatCount(950), formatCount(1500), formatCount(14403), formatCount(6e6)],
      ['950', '1.5k', '14k', '6M'],
    );
    assert.deepEqual(
      [formatSeconds(42), formatSeconds(300), formatSeconds(9000)],
      ['42 s', '5 min', '2.5 h'],
    );
  });
});

describe('chart panel colours', () => {
  it('parses the rgb()/rgba() forms getComputedStyle returns', () => {
    assert.deepEqual(parseRgb('rgb(55, 148, 255)'), { r: 55, g: 148, b: 255, a: 1 });
    assert.deepEqual(parseRgb('rgba(0, 0, 0, 0.5)'), { r: 0, g: 0, b: 0, a: 0.5 });
    assert.deepEqual(parseRgb('rgb(1 2 3 / 40%)'), { r: 1, g: 2, b: 3, a: 0.4 });
  });

  it('shades a run colour per component, keeping its hue and moving toward the background', () => {
    const blue = parseRgb('rgb(55, 148, 255)');
    const onDark = [0, 5].map((i) => shade(blue, i, 6, true));
    const onLight = [0, 5].map((i) => shade(blue, i, 6, false));
    const lightness = (c: { r: number; g: number; b: number }) =>
      (Math.max(c.r, c.g, c.b) + Math.min(c.r, c.g, c.b)) / 510;
    assert.ok(
      lightness(onDark[0]) > lightness(onDark[1]),
      'on a dark background later components are darker',
    );
    assert.ok(
      lightness(onLight[0]) < lightness(onLight[1]),
      'on a light background later components are lighter',
    );
    for (const c of [...onDark, ...onLight]) assert.ok(c.b > c.r && c.b > c.g, 'still blue');
    assert.deepEqual(shade(blue, 0, 1, true), blue, 'a scalar observable keeps the run colour');
  });
});
