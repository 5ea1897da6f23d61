// The device kit's start file: imports the bundled program and runs it with
// this process's arguments. Kept apart from the bundle so that the bundled
// CLIs, which start themselves when they are the main module, do not.
import { runKit } from './workbench.mjs';

const code = await runKit(process.argv.slice(2));
if (code !== undefined) process.exit(code);
