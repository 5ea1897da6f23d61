/**
 * The CLI bundle's entry (scripts/build-cli.mjs bundles it to
 * out/cli/vgg-workbench.entry.mjs, which bin/vgg-workbench.js imports): runs
 * the command line unconditionally, where main.ts runs only as a script.
 */
import { main } from './main';
import { exitAfterDrain } from './exit-after-drain';

main(process.argv.slice(2)).then(exitAfterDrain);
