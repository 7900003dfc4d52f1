import { buildOnce } from './build.js';

// Build dist/ once before any test file runs: several suites start the built CLI or
// serve the built renderer, and must not rebuild it under each other.
export default function setup(): void {
  buildOnce();
}
