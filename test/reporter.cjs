// Mocha's spec reporter plus the closing line CI reads: "N passed, N failed, N skipped".
// Skipped tests print why (this.skip() reasons are recorded by the tests via test.ctx).
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class LowdoseReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const skipped = [];
    runner.on(EVENT_TEST_PENDING, test => skipped.push(test));
    runner.once(EVENT_RUN_END, () => {
      const s = this.stats;
      // Printed after Spec's epilogue (registered first), so it is the last line of the run.
      process.nextTick(() => {
        if (skipped.length) {
          console.log('\nSkipped:');
          for (const t of skipped) console.log(`  - ${t.fullTitle()}${t.skipReason ? ` (${t.skipReason})` : ''}`);
        }
        console.log(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      });
    });
  }
}

module.exports = LowdoseReporter;
