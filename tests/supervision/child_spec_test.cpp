#define BOOST_TEST_MODULE stub
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(stub) {}
