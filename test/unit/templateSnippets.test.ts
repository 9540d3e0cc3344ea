import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { snippetBody, templateSnippets } from '../../scripts/templateSnippets';

const ROOT = path.join(__dirname, '..', '..');

/** What VS Code inserts for a body without placeholders: the lines joined, `\$` and `\\` unescaped. */
function inserted(body: string[]): string {
  return body.join('\n').replace(/\\([\\$}])/g, '$1') + '\n';
}

describe('template snippets', () => {
  it('escape what snippet syntax would read as placeholders or variables, and nothing else', () => {
    const text = 'const s = `${a}`; // $1 \\n ${TM_FILENAME}\n';
    const body = snippetBody(text);
    assert.deepEqual(body, ['const s = `\\${a}`; // \\$1 \\\\n \\${TM_FILENAME}']);
    assert.equal(inserted(body), text);
  });

  it('one per template, inserting exactly the template, described by its strand and title', () => {
    const dir = path.join(ROOT, 'templates');
    const snippets = Object.values(templateSnippets(dir));
    const sweeps = fs.readdirSync(path.join(dir, 'sweeps')).filter((f) => f.endsWith('.exp.ts'));
    const files = [
      ...fs.readdirSync(dir).filter((f) => f.endsWith('.exp.ts')),
      ...sweeps.map((f) => `sweeps/${f}`),
    ];
    assert.equal(snippets.length, files.length);
    for (const file of files) {
      const snippet = snippets.find(
        (s) => s.prefix === `lm-${file.replace('.exp.ts', '').replace('/', '-')}`,
      );
      assert.ok(snippet, `no snippet for ${file}`);
      assert.equal(inserted(snippet.body), fs.readFileSync(path.join(dir, file), 'utf8'));
      assert.match(snippet.description, /^(Sweeps .*, )?\([a-e]\) .+: \S/, `${file}: ${snippet.description}`);
    }
  });

  it('are contributed from where the build writes them', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const paths = manifest.contributes.snippets.map((s: { path: string }) => s.path);
    assert.ok(paths.includes('./dist/snippets/templates.code-snippets'), paths.join(', '));
  });
});
