import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATEGORY, COMMANDS } from '../../src/editor/commandIds';
import { formatParam, parseParam } from '../../src/editor/paramInput';
import { listTemplates, STRANDS, SWEEPS_GROUP, templateInfo } from '../../src/editor/templates';
import { samplesCsv, samplesJsonl } from '../../src/series/exportFormats';
import { computePath, formatRate, formatSeconds, num } from '../../src/series/format';
import { sparklineSvg, svgDataUri } from '../../src/series/sparkline';
import { differingLabels } from '../../src/webviews/panelRuns';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('the command table', () => {
  it('matches contributes.commands in package.json, ids, titles and category', () => {
    const contributed = manifest.contributes.commands.map(
      (c: { command: string; title: string; category: string }) => [c.command, c.title, c.category],
    );
    assert.deepEqual(
      contributed,
      Object.values(COMMANDS).map((c) => [c.id, c.title, CATEGORY]),
    );
  });

  it('hides every command that needs a context from the palette when the context is absent', () => {
    const when = Object.fromEntries(
      manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [
        m.command,
        m.when,
      ]),
    );
    for (const c of Object.values(COMMANDS)) assert.equal(when[c.id] ?? 'true', c.palette, c.id);
  });
});

describe('parameter input', () => {
  it('accepts values of the parameter type and names the parameter when it rejects one', () => {
    assert.deepEqual(parseParam({ name: 'lr', type: 'number' }, ' 0.5 '), { value: 0.5 });
    assert.deepEqual(parseParam({ name: 'lr', type: 'number' }, 'fast'), { error: 'lr expects a number' });
    assert.deepEqual(parseParam({ name: 'lr', type: 'number' }, ''), { error: 'lr expects a number' });
    assert.deepEqual(parseParam({ name: 'on', type: 'boolean' }, 'true'), { value: true });
    assert.deepEqual(parseParam({ name: 'on', type: 'boolean' }, 'yes'), {
      error: 'on expects true or false',
    });
    assert.deepEqual(parseParam({ name: 't', type: 'number[]' }, '[5, 3, 1.5]'), { value: [5, 3, 1.5] });
    assert.deepEqual(parseParam({ name: 't', type: 'number[]' }, '5,3'), { value: [5, 3] });
    assert.match(
      (parseParam({ name: 't', type: 'number[]' }, '5,,3') as { error: string }).error,
      /t expects a list/,
    );
    assert.deepEqual(parseParam({ name: 'mode', type: 'string' }, 'random'), { value: 'random' });
  });

  it('pre-fills arrays as JSON and strings as they are', () => {
    assert.equal(formatParam([6, 4]), '[6,4]');
    assert.equal(formatParam('random'), 'random');
    assert.equal(formatParam(0.002), '0.002');
  });
});

describe('formatting', () => {
  it('writes numbers with 4 significant digits and exponents for very large or small ones', () => {
    assert.deepEqual([0.123456, 12345.6, 123456, 0.0001234, 0, 1e-4, NaN, null].map(num), [
      '0.1235',
      '12350',
      '1.235e+5',
      '1.234e-4',
      '0',
      '1e-4',
      'NaN',
      '-',
    ]);
  });

  it('writes durations as seconds, minutes or hours', () => {
    assert.deepEqual([1.25, 125, 7300].map(formatSeconds), ['1.3s', '2m5s', '2h1m']);
  });

  it('writes rates without exponents, and the compute path with replay', () => {
    assert.deepEqual([512.4, 8291, 112708, 1349000].map(formatRate), ['512.4', '8291', '112.7k', '1.35M']);
    assert.equal(computePath('blas', true), 'blas + replay');
    assert.equal(computePath('wasm', undefined), 'wasm');
  });
});

describe('run export formats', () => {
  const series = new Map([
    ['loss', { step: Float64Array.of(0, 10), value: Float64Array.of(1, 0.5), wall: Float64Array.of(0, 0.1) }],
    ['a,b', { step: Float64Array.of(0), value: Float64Array.of(2), wall: Float64Array.of(0) }],
  ]);

  it('writes step,series,value CSV with quoted names, and run and wall columns when asked', () => {
    assert.equal(samplesCsv([{ id: 'r1', series }]), 'step,series,value\n0,loss,1\n10,loss,0.5\n0,"a,b",2\n');
    assert.equal(
      samplesCsv([{ id: 'r1', series }], { run: true, wall: true }).split('\n')[2],
      'r1,10,loss,0.5,0.1',
    );
  });

  it('writes one JSON object per sample', () => {
    const lines = samplesJsonl([{ id: 'r1', series }], { run: true })
      .trim()
      .split('\n');
    assert.deepEqual(JSON.parse(lines[1]), { run: 'r1', step: 10, series: 'loss', value: 0.5 });
    assert.equal(lines.length, 3);
  });
});

describe('hover sparklines', () => {
  it('draws the measured series solid and the prediction dashed, scaled into the box', () => {
    const svg = sparklineSvg({
      measured: { step: [0, 5, 10], value: [0, 1, 2] },
      predicted: { step: [0, 10], value: [0, 2] },
      width: 100,
      height: 20,
    });
    assert.match(svg, /<path d="M2\.0,18\.0L98\.0,2\.0" fill="none" stroke="#d18616"[^>]*stroke-dasharray/);
    assert.match(svg, /<path d="M2\.0,18\.0L50\.0,10\.0L98\.0,2\.0" fill="none" stroke="#3794ff"/);
    assert.ok(svgDataUri(svg).startsWith('data:image/svg+xml;base64,'));
  });

  it('thins a long series to at most about 200 points and keeps the last one', () => {
    const n = 100_000;
    const svg = sparklineSvg({
      measured: {
        step: Array.from({ length: n }, (_, i) => i),
        value: Array.from({ length: n }, (_, i) => i),
      },
    });
    const points = (svg.match(/[ML]/g) ?? []).length;
    assert.ok(points <= 202 && points > 150, `${points} points`);
    assert.match(svg, /L238\.0,2\.0"/);
  });
});

describe('comparison labels', () => {
  it('names only the parameters that differ between compared runs', () => {
    assert.deepEqual(
      differingLabels([
        { lr: 0.1, depth: 2, t: [1, 2] },
        { lr: 0.2, depth: 2, t: [1, 2] },
      ]),
      ['lr=0.1', 'lr=0.2'],
    );
    assert.deepEqual(differingLabels([{ lr: 0.1, depth: 2 }]), ['lr=0.1 depth=2']);
  });
});

describe('templates', () => {
  it('reads the title and the strand of every bundled example', () => {
    const dir = path.join(__dirname, '..', '..', 'templates');
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.exp.ts'))) {
      const info = templateInfo(fs.readFileSync(path.join(dir, file), 'utf8'));
      assert.ok(info.title.length > 10, `${file} has no title line`);
      assert.notEqual(info.strand, 'Other', `${file} names no strand`);
    }
    const listed = listTemplates(dir);
    const sweeps = fs.readdirSync(path.join(dir, 'sweeps')).filter((f) => f.endsWith('.exp.ts'));
    assert.equal(
      listed.length,
      fs.readdirSync(dir).filter((f) => f.endsWith('.exp.ts')).length + sweeps.length,
    );
    const groups = [...new Set(listed.map((t) => t.group))];
    assert.deepEqual(
      groups,
      [...Object.values(STRANDS), SWEEPS_GROUP],
      'one group per strand, then the sweeps',
    );
    for (const t of listed.filter((t) => t.group === SWEEPS_GROUP)) {
      assert.match(t.file, /^sweeps\/\w+\.exp\.ts$/);
      assert.ok(t.title.length > 10, `${t.file} has no title line`);
    }
    assert.deepEqual(templateInfo('/**\n * A title\n * Strand: (d) x\n */'), {
      title: 'A title',
      strand: '(d) Theories of hyperparameters',
    });
  });
});
