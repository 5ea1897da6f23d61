// The queue's hub logs stream entries too: the function lives in shared/, and the CLI's many importers keep this path.
export { terminalSafe, terminalSafeJson } from '../shared/terminal-safe';
