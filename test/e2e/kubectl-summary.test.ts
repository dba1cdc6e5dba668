// The real kubectl against the metrics server scraping /stats/summary.
import t from 'tap';
import { kubectlSuite } from '../helpers/sim-e2e-suite.js';

await kubectlSuite(t, 'summary');
