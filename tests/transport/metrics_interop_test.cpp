// The exposition of metrics_server checked by a parser nobody here wrote: Python's urllib
// scrapes the endpoint and prometheus_client's text parser (Debian
// python3-prometheus-client) reads it (tests/interop/prometheus_scrape.py). Skipped, saying
// why, when that module is not installed.
#include <wsnova/transport/metrics_server.hpp>

#define BOOST_TEST_MODULE metrics_interop
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <wsnova/core/metrics.hpp>
#include <wsnova/testing/detail/child_process.hpp>
#include <wsnova/tests/support/external_server.hpp>

#include "metrics_fixture.hpp"

using namespace wsnova;
namespace tt = boost::unit_test;

namespace {

const std::string python = "/usr/bin/python3";

/// Skips (false, with the reason, also on stderr: ctest's log level hides skip reasons)
/// when the reference parser cannot run.
boost::test_tools::assertion_result prometheus_client_installed(tt::test_unit_id) {
  std::string missing;
  if (!test::detail::find_program(python)) {
    missing = python + " is missing (apt-get install python3)";
  } else if (test::detail::run_process({python, "-c", "import prometheus_client.parser"}).status !=
             0) {
    missing =
        "the Python module prometheus_client is not installed (apt-get install "
        "python3-prometheus-client; scripts/setup.sh does)";
  }
  if (missing.empty()) return true;
  std::cerr << "metrics_interop_test: skipped: " << missing << "\n";
  boost::test_tools::assertion_result skip{false};
  skip.message() << missing;
  return skip;
}

/// What the reference parser read.
struct parsed {
  std::string content_type;
  std::map<std::string, std::string> families;  // name -> type
  std::map<std::string, double> samples;        // "name{labels as JSON}" -> value
};

parsed scrape_with_python(std::uint16_t port) {
  auto script = test::external_server::interop_dir() / "prometheus_scrape.py";
  auto url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto run = test::detail::run_process({python, script.string(), url});
  BOOST_REQUIRE_MESSAGE(run.status == 0, "prometheus_scrape.py failed (status " << run.status
                                                                                << "):\n"
                                                                                << run.output);
  parsed out;
  std::istringstream lines{run.output};
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream split{line};
    for (std::string field; std::getline(split, field, '\t');) fields.push_back(field);
    if (fields.size() == 2 && fields[0] == "CONTENT_TYPE") {
      out.content_type = fields[1];
    } else if (fields.size() == 3 && fields[0] == "FAMILY") {
      out.families[fields[1]] = fields[2];
    } else if (fields.size() == 4 && fields[0] == "SAMPLE") {
      // Normalise the labels through Boost.JSON so the key does not depend on Python's spacing.
      auto labels = boost::json::serialize(boost::json::parse(fields[2]));
      out.samples[fields[1] + labels] = std::stod(fields[3]);  // "inf" too
    }
  }
  return out;
}

/// The key `scrape_with_python` files a sample under.
std::string key(const std::string& name, metric_labels labels) {
  std::sort(labels.begin(), labels.end());  // as Python's json.dumps(sort_keys=True)
  boost::json::object object;
  for (const auto& [k, v] : labels) object[k] = v;
  return name + boost::json::serialize(object);
}

}  // namespace

BOOST_AUTO_TEST_CASE(prometheus_client_parses_the_exposition,
                     *tt::precondition(prometheus_client_installed)) {
  namespace n = metric_names;
  auto registry = std::make_shared<metrics_registry>();
  declare_wsnova_metrics(*registry);
  const metric_labels feed{{"connection", "feed-1"}};
  const metric_labels odd{{"connection", "quote\" back\\slash\nnewline"}};
  registry->add(n::connects, feed, 2);
  registry->add(n::messages_received, odd, 5);
  registry->set(n::send_queue_depth, feed, 12);
  registry->add(n::supervisor_restarts, {{"child", "feed"}, {"supervisor", "root"}});
  for (double v : {30e-6, 0.003, 0.2, 45.0}) registry->observe(n::request_duration, feed, v);

  test::io_thread io;
  auto server =
      metrics_server::start(io.context(), [registry] { return registry->render_prometheus(); });
  BOOST_REQUIRE_MESSAGE(server, to_string(server.error()));
  auto got = scrape_with_python(server->port());

  BOOST_TEST(got.content_type == "text/plain; version=0.0.4; charset=utf-8");
  // Every declared family came through with its type (the parser drops `_total`).
  BOOST_TEST(got.families.size() == 17u);
  BOOST_TEST(got.families["wsnova_connects"] == "counter");
  BOOST_TEST(got.families["wsnova_connection_up"] == "gauge");
  BOOST_TEST(got.families["wsnova_request_duration_seconds"] == "histogram");
  BOOST_TEST(got.samples[key("wsnova_connects_total", feed)] == 2.0);
  BOOST_TEST(got.samples[key("wsnova_messages_received_total", odd)] == 5.0);
  BOOST_TEST(got.samples[key("wsnova_send_queue_depth", feed)] == 12.0);
  BOOST_TEST(got.samples[key("wsnova_supervisor_restarts_total",
                             {{"child", "feed"}, {"supervisor", "root"}})] == 1.0);
  auto bucket = [&](const char* le) {
    return got.samples[key("wsnova_request_duration_seconds_bucket",
                           {{"connection", "feed-1"}, {"le", le}})];
  };
  BOOST_TEST(bucket("5e-05") == 1.0);
  BOOST_TEST(bucket("0.005") == 2.0);
  BOOST_TEST(bucket("0.25") == 3.0);
  BOOST_TEST(bucket("30") == 3.0);
  BOOST_TEST(bucket("+Inf") == 4.0);
  BOOST_TEST(got.samples[key("wsnova_request_duration_seconds_count", feed)] == 4.0);
  BOOST_TEST(got.samples[key("wsnova_request_duration_seconds_sum", feed)] == 45.20303,
             boost::test_tools::tolerance(1e-9));
}
