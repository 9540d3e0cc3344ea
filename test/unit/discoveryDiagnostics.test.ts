import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { diagnosticCodes, type DiagnosticCode } from '../../src/discovery/codes';
import { discover } from '../../src/discovery/discover';
import type { Discovery, DiscoveryDiagnostic, Position, Severity } from '../../src/discovery/types';

const BROKEN = path.join(__dirname, '..', 'fixtures', 'broken', 'discovery');

interface Fixture {
  text: string;
  discovery: Discovery;
}

function load(name: string): Fixture {
  const text = readFileSync(path.join(BROKEN, `${name}.ts`), 'utf8');
  return { text, discovery: discover(text, `${name}.ts`) };
}

const fixtures = {
  experiment: load('experimentDiagnostics'),
  param: load('paramDiagnostics'),
  observable: load('observableDiagnostics'),
  prediction: load('predictionDiagnostics'),
  names: load('memberNames'),
  syntax: load('syntaxError'),
};

/**
 * Where `needle` starts in `text` (it must occur exactly once), moved `offset` characters along its line:
 * found by plain string search, independently of the parser.
 */
function at(text: string, needle: string, offset = 0): Position {
  const index = text.indexOf(needle);
  assert.ok(
    index >= 0 && text.indexOf(needle, index + 1) < 0,
    `'${needle}' should occur once in the fixture`,
  );
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length + offset };
}

/** The one diagnostic with `code` that starts at `start`. */
function diagnosticAt(fixture: Fixture, code: DiagnosticCode, start: Position): DiscoveryDiagnostic {
  const found = fixture.discovery.diagnostics.filter((d) => d.code === code);
  const match = found.filter(
    (d) => d.range.start.line === start.line && d.range.start.character === start.character,
  );
  const where = found.map((d) => `${d.range.start.line}:${d.range.start.character}`).join(', ') || 'nowhere';
  assert.equal(match.length, 1, `${code} expected at ${start.line}:${start.character}, found at ${where}`);
  return match[0];
}

interface Case {
  should: string;
  fixture: keyof typeof fixtures;
  code: DiagnosticCode;
  severity: Severity;
  /** A unique snippet of the fixture, and how far into it the diagnostic starts. */
  needle: string;
  offset?: number;
  /** Length of the diagnosed text, when the test pins the end of the range too. */
  length?: number;
  message: RegExp;
}

const cases: Case[] = [
  {
    should: 'reports an @experiment without steps at its decorator',
    fixture: 'experiment',
    code: 'steps-missing',
    severity: 'error',
    needle: "@experiment({ title: 'No steps' })",
    length: "@experiment({ title: 'No steps' })".length,
    message: /'NoSteps' needs 'steps'/,
  },
  {
    should: 'reports a bare @experiment as missing its steps',
    fixture: 'experiment',
    code: 'steps-missing',
    severity: 'error',
    needle: '@experiment\nexport class BareExperiment',
    message: /'BareExperiment' needs 'steps'/,
  },
  {
    should: 'reports zero steps at the value',
    fixture: 'experiment',
    code: 'steps-invalid',
    severity: 'error',
    needle: 'steps: 0 }',
    offset: 'steps: '.length,
    length: 1,
    message: /'steps' of 'ZeroSteps' must be a positive integer literal, got 0/,
  },
  {
    should: 'reports fractional steps at the value',
    fixture: 'experiment',
    code: 'steps-invalid',
    severity: 'error',
    needle: 'steps: 2.5',
    offset: 'steps: '.length,
    message: /'FractionalSteps'.*got 2\.5/,
  },
  {
    should: 'reports non-literal steps at the value',
    fixture: 'experiment',
    code: 'steps-invalid',
    severity: 'error',
    needle: 'steps: STEPS',
    offset: 'steps: '.length,
    length: 'STEPS'.length,
    message: /'NamedSteps'.*got STEPS/,
  },
  {
    should: 'reports an experiment class without a step method at its name',
    fixture: 'experiment',
    code: 'step-missing',
    severity: 'error',
    needle: 'NoStep {',
    length: 'NoStep'.length,
    message: /'NoStep' has no step method/,
  },
  {
    should: 'notes an experiment class that is not exported, at its name',
    fixture: 'experiment',
    code: 'experiment-not-exported',
    severity: 'info',
    needle: 'NotExported {',
    message: /'NotExported' is not exported; it still runs/,
  },
  {
    should: 'reports an unknown @experiment option at its key, listing the allowed ones',
    fixture: 'experiment',
    code: 'unknown-option',
    severity: 'error',
    needle: "titel: 'typo'",
    length: 'titel'.length,
    message:
      /Unknown option 'titel' of @experiment \(did you mean 'title'\?\); allowed: title, steps, description/,
  },
  {
    should: 'reports a title that is not a string at its value',
    fixture: 'experiment',
    code: 'option-invalid',
    severity: 'error',
    needle: 'title: 42',
    offset: 'title: '.length,
    message: /Option 'title' of @experiment must be a string literal, got 42/,
  },
  {
    should: 'reports @experiment options that are not an object literal',
    fixture: 'experiment',
    code: 'options-not-object',
    severity: 'error',
    needle: "'fast'",
    message: /options of @experiment must be an object literal/,
  },
  {
    should: 'warns that @param in a class that is not an experiment has no effect',
    fixture: 'experiment',
    code: 'member-outside-experiment',
    severity: 'warning',
    needle: '@param lr = 0.1',
    length: '@param'.length,
    message: /@param on 'lr' has no effect: class 'Plain' is not an @experiment/,
  },
  {
    should: 'warns that @observable in a class that is not an experiment has no effect',
    fixture: 'experiment',
    code: 'member-outside-experiment',
    severity: 'warning',
    needle: '@observable() loss',
    message: /@observable on 'loss' has no effect/,
  },
  {
    should: 'reports @experiment on a method',
    fixture: 'experiment',
    code: 'experiment-not-on-class',
    severity: 'error',
    needle: '@experiment({ steps: 1 }) run',
    message: /@experiment belongs on a class, not on 'run'/,
  },
  {
    should: 'reports @observable on a class',
    fixture: 'experiment',
    code: 'observable-not-on-method',
    severity: 'error',
    needle: '@observable()\n@experiment',
    message: /@observable belongs on an instance method, not on the class 'ObservableClass'/,
  },
  {
    should: 'reports a repeated @experiment on the repetition',
    fixture: 'experiment',
    code: 'conflicting-decorators',
    severity: 'error',
    needle: '@experiment({ steps: 20 })',
    message: /@experiment is repeated/,
  },
  {
    should: 'reports @param without an initializer at the field name',
    fixture: 'param',
    code: 'param-missing-default',
    severity: 'error',
    needle: 'noDefault!',
    length: 'noDefault'.length,
    message: /Param 'noDefault' needs a default/,
  },
  {
    should: 'reports @param on a method',
    fixture: 'param',
    code: 'param-not-on-field',
    severity: 'error',
    needle: '@param method()',
    message: /@param belongs on an instance field with a default .*not on 'method'/,
  },
  {
    should: 'reports @param on a static field',
    fixture: 'param',
    code: 'param-not-on-field',
    severity: 'error',
    needle: '@param static shared',
    message: /not on 'shared'/,
  },
  {
    should: 'reports @param used with parentheses',
    fixture: 'param',
    code: 'param-called',
    severity: 'error',
    needle: '@param() called',
    length: '@param()'.length,
    message: /@param is used bare, without parentheses/,
  },
  {
    should: 'reports an array-of-strings default, which params cannot have',
    fixture: 'param',
    code: 'param-default-unsupported',
    severity: 'error',
    needle: "['a', 'b']",
    message: /The default of 'words', \['a', 'b'\], is not a number, boolean, string or number\[\]/,
  },
  {
    should: 'reports a nested-array default, which params cannot have',
    fixture: 'param',
    code: 'param-default-unsupported',
    severity: 'error',
    needle: '[[1], [2]]',
    message: /'nested'/,
  },
  {
    should: 'informs that a default computed by a call is only known at run time',
    fixture: 'param',
    code: 'param-default-not-literal',
    severity: 'info',
    needle: 'Date.now()',
    length: 'Date.now()'.length,
    message: /The default of 'fromCall' is not a literal; it will be known when the experiment runs/,
  },
  {
    should: 'reports @observable on a field',
    fixture: 'observable',
    code: 'observable-not-on-method',
    severity: 'error',
    needle: '@observable field',
    length: '@observable'.length,
    message: /not on 'field'/,
  },
  {
    should: 'reports @observable on a getter',
    fixture: 'observable',
    code: 'observable-not-on-method',
    severity: 'error',
    needle: '@observable() get getter',
    message: /not on 'getter'/,
  },
  {
    should: 'reports every: 0 at the value',
    fixture: 'observable',
    code: 'every-invalid',
    severity: 'error',
    needle: 'every: 0 }',
    offset: 'every: '.length,
    length: 1,
    message: /'every' of observable 'zero' must be a positive integer literal/,
  },
  {
    should: 'reports a fractional every',
    fixture: 'observable',
    code: 'every-invalid',
    severity: 'error',
    needle: 'every: 2.5',
    offset: 'every: '.length,
    message: /'fractional'.*got 2\.5/,
  },
  {
    should: 'reports a non-literal every',
    fixture: 'observable',
    code: 'every-invalid',
    severity: 'error',
    needle: 'every: EVERY',
    offset: 'every: '.length,
    message: /'named'.*got EVERY/,
  },
  {
    should: 'reports an unknown @observable option, suggesting the closest',
    fixture: 'observable',
    code: 'unknown-option',
    severity: 'error',
    needle: 'evry: 10',
    message: /Unknown option 'evry' of @observable \(did you mean 'every'\?\); allowed: every, atEnd/,
  },
  {
    should: 'reports an atEnd that is not a boolean',
    fixture: 'observable',
    code: 'option-invalid',
    severity: 'error',
    needle: "'yes'",
    message: /Option 'atEnd' of @observable must be true or false, got 'yes'/,
  },
  {
    should: 'reports @observable options given as a number',
    fixture: 'observable',
    code: 'options-not-object',
    severity: 'error',
    needle: '10) positional',
    message: /options of @observable must be an object literal: \{ every: \.\.\., atEnd: \.\.\. \}/,
  },
  {
    should: 'reports a spread in @observable options',
    fixture: 'observable',
    code: 'options-not-object',
    severity: 'error',
    needle: '...base',
    message: /written out as 'key: value' entries/,
  },
  {
    should: 'reports a prediction of an undeclared observable at the name, suggesting the closest',
    fixture: 'prediction',
    code: 'observable-unknown',
    severity: 'error',
    needle: "'mdoes'",
    length: "'mdoes'".length,
    message: /'typo' is of 'mdoes', which is not an observable of 'Predictions' \(did you mean 'modes'\?\)/,
  },
  {
    should: 'reports a prediction of a param, saying so',
    fixture: 'prediction',
    code: 'observable-unknown',
    severity: 'error',
    needle: "'lr') ofParam",
    message: /'lr' is a @param\); its observables are 'loss', 'modes'/,
  },
  {
    should: 'reports a non-literal observable name',
    fixture: 'prediction',
    code: 'observable-name-invalid',
    severity: 'error',
    needle: 'name) dynamic',
    length: 'name'.length,
    message: /observable of prediction 'dynamic' must be a string literal/,
  },
  {
    should: 'reports a @prediction without an observable name at the decorator',
    fixture: 'prediction',
    code: 'observable-name-invalid',
    severity: 'error',
    needle: '@prediction() nothing',
    length: '@prediction()'.length,
    message: /@prediction on 'nothing' needs the name of the observable/,
  },
  {
    should: 'reports an unknown score kind, listing the allowed ones',
    fixture: 'prediction',
    code: 'score-unknown',
    severity: 'error',
    needle: "'r3'",
    message:
      /Unknown score 'r3' of prediction 'badScore' \(did you mean 'r2'\?\); allowed: r2, r2log, maxRelError, ratio/,
  },
  {
    should: 'reports a tolerance that is not a number',
    fixture: 'prediction',
    code: 'tolerance-invalid',
    severity: 'error',
    needle: "'tight'",
    message: /'tolerance' of prediction 'badTolerance' must be a finite number literal/,
  },
  {
    should: 'reports a curve flag that is not a boolean',
    fixture: 'prediction',
    code: 'option-invalid',
    severity: 'error',
    needle: 'curve: 1',
    offset: 'curve: '.length,
    message: /Option 'curve' of @prediction must be true or false, got 1/,
  },
  {
    should: 'reports an unknown @prediction option',
    fixture: 'prediction',
    code: 'unknown-option',
    severity: 'error',
    needle: "scor: 'r2'",
    message:
      /Unknown option 'scor' of @prediction \(did you mean 'score'\?\); allowed: score, tolerance, curve/,
  },
  {
    should: 'reports @prediction on a field',
    fixture: 'prediction',
    code: 'prediction-not-on-method',
    severity: 'error',
    needle: "@prediction('loss') field",
    message: /@prediction belongs on an instance method, not on 'field'/,
  },
  {
    should: 'reports a prediction named like an observable at the prediction name',
    fixture: 'names',
    code: 'prediction-name-clash',
    severity: 'error',
    needle: "@prediction('loss') loss",
    offset: "@prediction('loss') ".length,
    length: 'loss'.length,
    message: /Prediction 'loss' has the name of the observable on line 7/,
  },
  {
    should: 'reports a second member with the name of a param',
    fixture: 'names',
    code: 'duplicate-member',
    severity: 'error',
    needle: '@observable() lr',
    offset: '@observable() '.length,
    message: /'lr' is declared twice in 'Names' \(@param on line 5, @observable here\)/,
  },
  {
    should: 'reports a second SDK decorator on one member',
    fixture: 'names',
    code: 'conflicting-decorators',
    severity: 'error',
    needle: '@observable() both',
    message: /@observable cannot be combined with @param on the same declaration/,
  },
  {
    should: 'reports a syntax error with TypeScript’s message at the token',
    fixture: 'syntax',
    code: 'syntax-error',
    severity: 'error',
    needle: '+ ;',
    offset: 2,
    length: 1,
    message: /Expression expected\. \(TS1109\)/,
  },
];

describe('discover diagnostics', () => {
  for (const c of cases) {
    it(c.should, () => {
      const fixture = fixtures[c.fixture];
      const start = at(fixture.text, c.needle, c.offset);
      const diagnostic = diagnosticAt(fixture, c.code, start);
      assert.equal(diagnostic.severity, c.severity);
      assert.match(diagnostic.message, c.message);
      if (c.length !== undefined) {
        assert.deepEqual(diagnostic.range.end, { line: start.line, character: start.character + c.length });
      }
    });
  }

  for (const [name, fixture] of Object.entries(fixtures)) {
    it(`reports nothing in the ${name} fixture beyond the cases above`, () => {
      const expected = cases.filter((c) => c.fixture === name).length;
      const reported = fixture.discovery.diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
      assert.equal(reported.length, expected, reported.join('\n'));
    });
  }

  it('has a case for every diagnostic code it declares', () => {
    const covered = new Set(cases.map((c) => c.code));
    assert.deepEqual(
      diagnosticCodes.filter((code) => !covered.has(code)),
      [],
    );
  });

  it('sorts diagnostics by position, whichever check found them', () => {
    const starts = fixtures.names.discovery.diagnostics.map((d) => d.range.start);
    const sorted = [...starts].sort((a, b) => a.line - b.line || a.character - b.character);
    assert.deepEqual(starts, sorted);
  });

  it('still reads the experiment of a file with a syntax error', () => {
    const [unfinished] = fixtures.syntax.discovery.experiments;
    assert.equal(unfinished.name, 'Unfinished');
    assert.deepEqual(
      unfinished.params.map((p) => [p.name, p.default]),
      [['lr', 0.1]],
    );
  });

  it('does not report a missing step in a class that may inherit it', () => {
    const derived = fixtures.experiment.discovery.experiments.find((e) => e.name === 'Derived');
    assert.equal(derived?.hasStep, false);
    const derivedLine = at(fixtures.experiment.text, 'class Derived').line;
    assert.deepEqual(
      fixtures.experiment.discovery.diagnostics.filter((d) => d.range.start.line === derivedLine),
      [],
    );
  });
});
