import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResources, checkResourceValues, cpuList } from './resource-rules.js';
import type { ResourceOptions } from './create-options.js';

const MB = 1024 * 1024;
const HOST = { cpus: 2, cpusetCpus: '0-1', cpusetMems: '0' };

function refused(r: ResourceOptions, message: string | RegExp): void {
  assert.throws(() => checkResources(r, HOST), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'InvalidArgument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("memory: dockerd's floors and orderings, in its words", () => {
  refused({ memory: 4 * MB }, 'Minimum memory limit allowed is 6MB');
  refused({ memory: -1 }, 'Minimum memory limit allowed is 6MB');
  refused({ memorySwap: 64 * MB }, 'You should always set the Memory limit when using Memoryswap limit, see usage');
  refused({ memory: 64 * MB, memorySwap: 32 * MB }, 'Minimum memoryswap limit should be larger than memory limit, see usage');
  refused({ memory: 64 * MB, memorySwap: -2 }, /invalid memory swap limit -2/);
  refused({ memoryReservation: MB }, 'Minimum memory reservation allowed is 6MB');
  refused({ memoryReservation: -5 }, 'Minimum memory reservation allowed is 6MB');
  refused({ memory: 16 * MB, memoryReservation: 32 * MB }, 'Minimum memory limit can not be less than memory reservation limit, see usage');
  refused({ memorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100');
  refused({ memory: 2 ** 60 }, /invalid memory limit .*: want an integer/);
  checkResources({ memory: 6 * MB, memorySwap: -1, memoryReservation: 6 * MB, memorySwappiness: 0 }, HOST);
  checkResources({ memory: 0, memorySwap: 0 }, HOST);
});

test('CPU: counts, shares, CFS period and quota, cpusets', () => {
  refused({ cpus: -1 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
  refused({ cpus: 3 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
  refused({ cpus: 1, cpuPeriod: 100000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  refused({ cpus: 1, cpuQuota: 50000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  refused({ cpuShares: -2 }, /invalid CPU shares -2/);
  refused({ cpuShares: 262145 }, /invalid CPU shares 262145/);
  refused({ cpuShares: 1.5 }, 'invalid CPU shares 1.5: want an integer');
  refused({ cpuPeriod: 999 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  refused({ cpuPeriod: 1000001 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  refused({ cpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  refused({ cpuQuota: -5 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  refused({ cpusetCpus: 'abc' }, 'Invalid value abc for cpuset cpus: invalid format: abc');
  refused({ cpusetCpus: '3-1' }, 'Invalid value 3-1 for cpuset cpus: invalid format: 3-1');
  refused({ cpusetCpus: '0-7' }, 'Requested CPUs are not available - requested 0-7, available: 0-1');
  refused({ cpusetMems: '1' }, 'Requested memory nodes are not available - requested 1, available: 0');
  refused({ blkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000');
  checkResources({ cpus: 1.5, cpuShares: 1024, cpusetCpus: '0,1', cpusetMems: '0', cpuQuota: -1 }, HOST);
  checkResources({ cpuPeriod: 100000, cpuQuota: 200000 }, HOST);
});

test('the host-free rules hold without host facts (spec time)', () => {
  assert.throws(() => checkResourceValues({ memory: 1024 }), /Minimum memory limit/);
  checkResourceValues({ cpus: 64, cpusetCpus: '0-63' });
});

test('cpuList reads moby list syntax', () => {
  assert.deepEqual([...cpuList('0-2,5', 'cpus')], [0, 1, 2, 5]);
  for (const bad of ['', '1-', '-1', '1,,2', 'a', '0-100000']) assert.throws(() => cpuList(bad, 'mems'), /for cpuset mems: invalid format/);
});
