import { Report } from '../support/report.ts';
import { runEngineSideBySide } from '../engine-side-by-side.ts';
const r = new Report();
await runEngineSideBySide(r, { budgetMs: 100 });
