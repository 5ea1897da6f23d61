/**
 * The device kit's program, bundled into one file (bundle-cli.ts). It is the
 * workbench CLI plus the programs the kit runs besides: `bench`, `agreement`,
 * `book` (run.sh --book) and the bench's measuring child, all in one module graph, so
 * the kit needs no node_modules. run.sh starts it through start.mjs, which
 * imports it, so the CLIs' "am I the main module?" checks stay false here.
 *
 *   node start.mjs engines --json | bench ... | agreement ... | book ... | measure-child ...
 */
import { pathToFileURL } from 'node:url';
import { loadDawnBindingFrom } from '../../src-main/core/engine/webgpu/adapter';
import { startMeasureChildFrom } from '../../src-main/core/bench/measure-in-child-process';

/** Set by run.sh: Dawn's index.js, unpacked beside its dawn.node. */
const DAWN_VARIABLE = 'WORKBENCH_KIT_DAWN';
const MEASURE_CHILD = 'measure-child';

export async function runKit(argv: readonly string[]): Promise<number | undefined> {
  const dawn = process.env[DAWN_VARIABLE];
  if (dawn) loadDawnBindingFrom(pathToFileURL(dawn).href);
  // The bench forks its measuring child: the same start file, in the child's role.
  const start = process.argv[1];
  if (start) startMeasureChildFrom(start, [MEASURE_CHILD]);
  const [role, ...rest] = argv;
  switch (role) {
    case MEASURE_CHILD:
      // measure-child.entry.ts reads its arguments from argv[2] on and answers over IPC; it ends itself.
      process.argv.splice(2, 1);
      await import('../../src-main/core/bench/measure-child.entry');
      return undefined;
    case 'bench':
      return (await import('../../src-main/cli/bench')).main(rest);
    case 'agreement':
      return (await import('../../src-main/cli/agreement')).main(rest);
    case 'book':
      return (await import('./book-run')).runBook(rest);
    default:
      return (await import('../../src-main/cli/main')).main([...argv]);
  }
}
