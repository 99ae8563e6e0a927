import os from 'node:os';
import type { ConfigManager } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { LOCAL_COORDINATOR, type Coordinator } from './coordinator.js';
import { budgetLimitsOf, coordinationSettings, type BudgetLimits } from './settings.js';

/**
 * The daemon's coordinator: the LocalCoordinator without
 * coordination_zookeeper (today's behaviour), else one that joins the group
 * in the background. The budget and the grace time (sleeptime) are read
 * from the configuration in force each time. The ZooKeeper client is
 * loaded only then: for a pool alone it would cost every daemon 14 MiB and
 * 0.13 s of CPU at start for nothing.
 */
export async function startCoordinator(config: Pick<ConfigManager, 'current'>, daemon: string, logger: Logger, version: string): Promise<Coordinator> {
  const values = config.current.values;
  const settings = coordinationSettings(values);
  const initial = budgetLimitsOf(values);
  if (settings === null || initial === null) return LOCAL_COORDINATOR;
  const limits = (): BudgetLimits => budgetLimitsOf(config.current.values) ?? initial;
  const { ZooKeeperCoordinator } = await import('./zookeeper-coordinator.js');
  return new ZooKeeperCoordinator({
    settings,
    member: { host: os.hostname(), pool: values['desc-short'], daemon, pid: process.pid },
    limits,
    graceMs: () => config.current.derived.sleepMs,
    logger,
    version,
  }).start();
}
