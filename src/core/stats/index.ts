export { StatsPublisher, buildStatsJson, type FigureValue, type FigureValues, type StatsPublisherOptions } from './stats-publisher.js';
export { HistogramAccumulator, type HistogramSnapshot } from './histogram.js';
export { commonFigures, type FigureSpec } from './figure-spec.js';
export { writeFileAtomic, writeFileAtomicNoReplace } from './atomic-write.js';
