// UTF-8 validation of the `wsnova` command's text lines (RFC 3629).
#include "utf8.hpp"

#define BOOST_TEST_MODULE cli_utf8
#include <boost/test/unit_test.hpp>

using wsnova::cli::first_invalid_utf8;

// Rule: well-formed UTF-8 of every length passes.
BOOST_AUTO_TEST_CASE(well_formed_text_passes) {
  BOOST_CHECK(!first_invalid_utf8(""));
  BOOST_CHECK(!first_invalid_utf8("plain ascii"));
  BOOST_CHECK(!first_invalid_utf8("Grüße, κόσμε, 世界 ✓ \xf0\x9f\x98\x80"));
  BOOST_CHECK(!first_invalid_utf8("\xed\x9f\xbf"));      // U+D7FF, just below the surrogates
  BOOST_CHECK(!first_invalid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
}

// Rule: the offset of the first bad sequence is reported.
BOOST_AUTO_TEST_CASE(malformed_sequences_are_located) {
  BOOST_CHECK_EQUAL(*first_invalid_utf8("ab\xff"), 2u);            // never valid
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\x80"), 0u);              // lone continuation
  BOOST_CHECK_EQUAL(*first_invalid_utf8("x\xc3"), 1u);             // truncated
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\xc3\x28"), 0u);          // bad continuation
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\xc0\xaf"), 0u);          // overlong '/'
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\xe0\x80\xaf"), 0u);      // overlong, 3 bytes
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\xed\xa0\x80"), 0u);      // surrogate U+D800
  BOOST_CHECK_EQUAL(*first_invalid_utf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  BOOST_CHECK_EQUAL(*first_invalid_utf8("ok \xe2\x9c"), 3u);       // cut short at the end
}
