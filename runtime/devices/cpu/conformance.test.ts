import { defineConformanceSuite } from '../conformance/suite.js';
import { CpuDevice } from './cpu-device.js';

defineConformanceSuite('CpuDevice', () => new CpuDevice());
