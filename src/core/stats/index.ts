export { StatsPublisher, buildStatsJson, type FigureValues, type StatsPublisherOptions } from './stats-publisher.js';
export { commonFigures, type FigureSpec } from './figure-spec.js';
export { writeFileAtomic, writeFileAtomicNoReplace } from './atomic-write.js';
