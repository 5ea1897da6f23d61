import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { buildKit } from '../../scripts/device-kit/build-kit';
import { KIT_FILES, KIT_MAX_BYTES, KIT_TRAIN_FILES } from '../../scripts/device-kit/kit-layout';
import { torchMissing } from '../helpers/pytorch-trainer';

/**
 * The "done when": the kit, built outside the repository, passes
 * `run.sh --smoke` in a mount namespace where the system's Node (and its
 * Vulkan loader, so the kit's own is the one Dawn opens) are hidden, with
 * SwiftShader as the Vulkan driver.
 */

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SYSTEM_VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

function whyNot(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the kit is built for linux-x64';
  if (!existsSync(SWIFTSHADER_ICD)) return `SwiftShader's Vulkan driver is not installed (${SWIFTSHADER_ICD}; apt-get install chromium)`;
  if (spawnSync('xz', ['--version']).status !== 0) return 'xz is not installed (apt-get install xz-utils)';
  const probe = spawnSync('unshare', ['-m', 'true']);
  if (probe.status !== 0) return `unshare -m is not allowed here (${probe.stderr?.toString().trim() || probe.error?.message || 'no reason given'}): it needs root or user namespaces`;
  return undefined;
}

const agreementSummary = z.object({ check: z.literal('agreement-summary'), lossDiff: z.number(), tolerance: z.number(), ok: z.boolean() });

const scratch = mkdtempSync(join(tmpdir(), 'device-kit-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const skip = whyNot();
/** The kit the first test built, for the second. */
let builtKit: string | undefined;

test('the device kit, built outside the repository, passes run.sh --smoke with the system Node hidden', { skip, timeout: 300_000 }, async () => {
  const kit = join(scratch, 'kit');
  const { totalBytes, trainCopy } = await buildKit(kit, () => undefined);
  assert.ok(totalBytes <= KIT_MAX_BYTES, `the kit is ${totalBytes} bytes, over ${KIT_MAX_BYTES}`);
  assert.ok(existsSync(join(kit, KIT_FILES.trainer)), 'the kit carries the pytorch trainer script');
  for (const name of Object.values(KIT_TRAIN_FILES)) assert.ok(existsSync(join(trainCopy, name)), `the second copy holds ${name}`);
  builtKit = kit;

  const hide = (path: string) => `if [ -e "${path}" ]; then mount --bind /dev/null "${path}"; fi`;
  const script = [
    'set -e',
    'NODE_PATH_HERE=$(command -v node || true)',
    'if [ -n "$NODE_PATH_HERE" ]; then mount --bind /dev/null "$NODE_PATH_HERE"; fi',
    hide('/usr/bin/node'),
    hide(SYSTEM_VULKAN_LOADER),
    // The hidden Node must really be gone, or the test proves nothing.
    'if node --version >/dev/null 2>&1; then echo "node still runs" >&2; exit 3; fi',
    `cd "${kit}"`,
    `exec bash run.sh --smoke --out "${join(scratch, 'out')}"`,
  ].join('\n');
  const run = spawnSync('unshare', ['-m', 'bash', '-c', script], {
    encoding: 'utf8',
    timeout: 240_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, TMPDIR: scratch, VK_ICD_FILENAMES: SWIFTSHADER_ICD },
  });
  assert.equal(run.status, 0, `run.sh --smoke exited ${run.status}\n${run.stdout}\n${run.stderr}`);

  const lines = run.stdout.split('\n').filter((line) => line.startsWith('{'));
  const summaries = lines.flatMap((line) => {
    const parsed = agreementSummary.safeParse(JSON.parse(line));
    return parsed.success ? [parsed.data] : [];
  });
  assert.equal(summaries.length, 1, `one agreement summary expected in:\n${run.stdout}`);
  const [summary] = summaries;
  assert.ok(summary && summary.ok && summary.lossDiff <= 1e-3, `lossDiff ${summary?.lossDiff} over 1e-3`);
  assert.match(run.stdout, /"step":"engines","engines":\[/, 'the engines step printed its JSON line');
});

test("the kit's book program runs the pytorch engine's runner from the bundle (a tiny run on the cpu)", { skip: skip ?? torchMissing(), timeout: 240_000 }, () => {
  assert.ok(builtKit, 'the first test built the kit');
  const run = spawnSync(
    process.execPath,
    [join(builtKit, KIT_FILES.start), 'book', '--data', '/usr/share/datasets/fashion-mnist', '--device', 'cpu', '--epochs', '1', '--resize', '32', '--train-limit', '128', '--test-limit', '64'],
    { encoding: 'utf8', timeout: 200_000, env: { ...process.env, VGG_WORKBENCH_PYTHON: '/usr/bin/python3' } },
  );
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const events = run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { type: string; engine?: { id: string }; testAcc?: number });
  assert.equal(events[0]?.type, 'start');
  assert.equal(events[0]?.engine?.id, 'pytorch');
  assert.ok(events.some((e) => e.type === 'epoch' && typeof e.testAcc === 'number'));
  assert.equal(events.at(-1)?.type, 'done');
});
