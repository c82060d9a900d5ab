/**
 * Run before every e2e spec file. Hooks and tests without their own timeout
 * get 30 s (they start real processes, which a busy machine slows down), and
 * no process the file started outlives it, whatever failed.
 */
import { jest } from '@jest/globals';
import { killLeftoverChildren } from './child-processes.js';

jest.setTimeout(30_000);

afterAll(() => killLeftoverChildren());
