import { jest } from '@jest/globals';

// `testTimeout` is a global Jest option, so a project cannot set it in jest.config.js; this
// project's set-up builds every bundle and packages the stack, which takes minutes on a busy
// machine, and its hooks need the same allowance as its tests.
jest.setTimeout(240_000);
