'use strict';
// natsort.js - natural order for signal names: runs of digits compare as
// numbers, so charger.2 comes before charger.10 (text order puts "10" first
// and scatters chargers 10-19 between 1 and 2).
//
// natKey(name) is computed once per name and compared with < / >: each digit
// run is rewritten as its length (3 digits) followed by the digits without
// leading zeros. Equal-length numbers then compare digit by digit, a shorter
// number sorts first, and since the rewrite still begins with a digit, digits
// keep their place among other characters ('.' < digits < letters).
// Names that differ only in leading zeros get the same key: natCompare falls
// back to plain text order for them.
(function (root) {
  function natKey(name) {
    return name.replace(/\d+/g, (run) => {
      const digits = run.replace(/^0+(?=\d)/, '');
      return String(digits.length).padStart(3, '0') + digits;
    });
  }
  function natCompare(a, b) {
    const ka = natKey(a), kb = natKey(b);
    if (ka !== kb) return ka < kb ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  root.gwNatKey = natKey;
  root.gwNatCompare = natCompare;
  if (typeof module !== 'undefined') module.exports = { natKey, natCompare };
})(typeof window !== 'undefined' ? window : globalThis);
