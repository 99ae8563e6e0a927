import os from 'node:os';
import type { ConfigManager } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { LOCAL_COORDINATOR, type Coordinator } from './coordinator.js';
import { budgetLimitsOf, coordinationSettings, type BudgetLimits } from './settings.js';
import { ZooKeeperCoordinator } from './zookeeper-coordinator.js';

/**
 * The daemon's coordinator: the LocalCoordinator without
 * coordination_zookeeper (today's behaviour), else one that joins the group
 * in the background. The budget and the grace time (sleeptime) are read
 * from the configuration in force each time.
 */
export function startCoordinator(config: Pick<ConfigManager, 'current'>, daemon: string, logger: Logger, version: string): Coordinator {
  const values = config.current.values;
  const settings = coordinationSettings(values);
  const initial = budgetLimitsOf(values);
  if (settings === null || initial === null) return LOCAL_COORDINATOR;
  const limits = (): BudgetLimits => budgetLimitsOf(config.current.values) ?? initial;
  return new ZooKeeperCoordinator({
    settings,
    member: { host: os.hostname(), pool: values['desc-short'], daemon, pid: process.pid },
    limits,
    graceMs: () => config.current.derived.sleepMs,
    logger,
    version,
  }).start();
}
