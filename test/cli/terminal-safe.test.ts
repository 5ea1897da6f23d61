import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerRunsCommands } from '../../src-main/cli/runs-command';
import { terminalSafe, terminalSafeJson } from '../../src-main/cli/terminal-safe';
import { exportRunsJson } from '../../src-main/core/store/export-import';
import { RunStore } from '../../src-main/core/store/run-store';
import { smallConfig, tempDir } from '../core/store/store-fixtures';

const CLEAR = '\x1b[2J';
const TITLE = '\x1b]0;title\x07';
const FAKE_RED = '\x1b[31mall runs deleted\x1b[0m';
const C1_CSI = '\u009b2J';
/** Any character a terminal could act on: C0 but tab and newline, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function cli() {
  let out = '';
  const program = new Command('vgg-workbench').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  registerRunsCommands(program, () => 'unused.sqlite', (s) => (out += s));
  return async (...args: string[]): Promise<string> => {
    out = '';
    await program.parseAsync(args, { from: 'user' });
    return out;
  };
}

test('terminalSafe writes control characters out as escapes, keeping newlines unless one line is asked for', () => {
  assert.equal(terminalSafe(`${CLEAR}x${TITLE}`), '\\x1b[2Jx\\x1b]0;title\\x07');
  assert.equal(terminalSafe(C1_CSI), '\\x9b2J');
  assert.equal(terminalSafe('a\nb\tc\r'), 'a\nb\tc\\x0d');
  assert.equal(terminalSafe('a\nb\tc', { oneLine: true }), 'a\\x0ab\\x09c');
  assert.equal(terminalSafe('\u202eevil'), '\\u202eevil');
  assert.equal(terminalSafe('plain text, ümlauts and 日本語'), 'plain text, ümlauts and 日本語');
  const json = terminalSafeJson(JSON.stringify({ name: `${C1_CSI}${CLEAR}` }));
  assert.doesNotMatch(json, CONTROL);
  assert.deepEqual(JSON.parse(json), { name: `${C1_CSI}${CLEAR}` }, 'the JSON still reads back the same');
});

test('runs import, list and show print an imported run\'s escapes without obeying them', async (t) => {
  const { dir, cleanup } = tempDir('cli-escapes-');
  t.after(cleanup);
  const source = RunStore.open(join(dir, 'source.sqlite'));
  const name = `${CLEAR}${TITLE}${FAKE_RED}`;
  const id = source.createRun(smallConfig({ name }), { tags: [`tag${CLEAR}`, `c1${C1_CSI}`], notes: `line one\n${FAKE_RED}` });
  source.finishRun(id, { status: 'failed', time: 2, error: `boom ${TITLE}` });
  writeFileSync(join(dir, 'evil.json'), exportRunsJson(source, [id]));
  source.close();

  const run = cli();
  const db = join(dir, 'target.sqlite');
  const outputs = {
    import: await run('runs', 'import', join(dir, 'evil.json'), '--db', db),
    list: await run('runs', 'list', '--db', db),
    listJson: await run('runs', 'list', '--db', db, '--json'),
    show: await run('runs', 'show', id, '--db', db),
    showJson: await run('runs', 'show', id, '--db', db, '--json'),
    tag: await run('runs', 'tag', id, 'plain', '--db', db),
    csv: await run('runs', 'export', id, '--db', db, '--format', 'csv'),
  };
  for (const [command, output] of Object.entries(outputs)) {
    assert.doesNotMatch(output, CONTROL, `${command} printed a control character: ${JSON.stringify(output)}`);
  }
  assert.match(outputs.import, /Imported \w+ {2}\\x1b\[2J\\x1b\]0;title\\x07\\x1b\[31mall runs deleted\\x1b\[0m/);
  assert.match(outputs.list, /\\x1b\[2J/);
  assert.match(outputs.show, /notes +line one\n +\\x1b\[31mall runs deleted/);
  assert.match(outputs.show, /error +boom \\x1b\]0;title\\x07/);
  assert.match(outputs.tag, /c1\\x9b2J/);
  assert.equal((JSON.parse(outputs.showJson) as { name: string }).name, name, '--json keeps the exact text, escaped as JSON');
});
