/**
 * The CLI bundle's entry (scripts/build-cli.mjs bundles it to
 * out/cli/vgg-workbench.entry.mjs, which bin/vgg-workbench.js imports): runs
 * the command line unconditionally, where main.ts runs only as a script.
 */
import { main } from './main';
import { exitAfterDrain, exitQuietlyOnBrokenPipe } from './exit-after-drain';

exitQuietlyOnBrokenPipe();
main(process.argv.slice(2)).then(exitAfterDrain);
