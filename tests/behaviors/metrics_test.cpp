// The metrics registry (core/metrics.hpp): counters, gauges, cumulative histogram buckets,
// the exposition text (escaping, order), label order, forget, rejected input, and exact sums
// when two threads add at once.
#define BOOST_TEST_MODULE metrics
#include <wsnova/core/metrics.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace wsnova;

namespace {

const metric_labels feed1{{"connection", "feed-1"}};
const metric_labels feed2{{"connection", "feed-2"}};

bool contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(counters_add_per_series) {
  metrics_registry r;
  r.declare("hits_total", "Hits.", metric_kind::counter);
  BOOST_TEST(!r.counter_value("hits_total", feed1));
  BOOST_TEST(r.add("hits_total", feed1));
  BOOST_TEST(r.add("hits_total", feed1, 2.5));
  BOOST_TEST(r.add("hits_total", feed2));
  BOOST_TEST(*r.counter_value("hits_total", feed1) == 3.5);
  BOOST_TEST(*r.counter_value("hits_total", feed2) == 1);
  BOOST_TEST(r.series_count("hits_total") == 2u);
}

BOOST_AUTO_TEST_CASE(gauges_take_the_last_value) {
  metrics_registry r;
  r.declare("depth", "Depth.", metric_kind::gauge);
  BOOST_TEST(r.set("depth", feed1, 7));
  BOOST_TEST(r.set("depth", feed1, -2));
  BOOST_TEST(*r.gauge_value("depth", feed1) == -2);
  BOOST_TEST(contains(r.render_prometheus(), "depth{connection=\"feed-1\"} -2\n"));
}

// Bucket i counts bounds[i-1] < v <= bounds[i]: a value on a bound lands in that bucket.
BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative) {
  metrics_registry r;
  r.declare("lat_seconds", "Latency.", metric_kind::histogram, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0, 30.0}) BOOST_TEST(r.observe("lat_seconds", feed1, v));
  auto buckets = *r.histogram_buckets("lat_seconds", feed1);
  BOOST_TEST(buckets == (std::vector<std::uint64_t>{2, 3, 4, 6}), boost::test_tools::per_element());
  BOOST_TEST(*r.histogram_count("lat_seconds", feed1) == 6u);
  BOOST_TEST(*r.histogram_sum("lat_seconds", feed1) == 52.65, boost::test_tools::tolerance(1e-9));
  const std::string expected =
      "# HELP lat_seconds Latency.\n"
      "# TYPE lat_seconds histogram\n"
      "lat_seconds_bucket{connection=\"feed-1\",le=\"0.1\"} 2\n"
      "lat_seconds_bucket{connection=\"feed-1\",le=\"1\"} 3\n"
      "lat_seconds_bucket{connection=\"feed-1\",le=\"10\"} 4\n"
      "lat_seconds_bucket{connection=\"feed-1\",le=\"+Inf\"} 6\n"
      "lat_seconds_sum{connection=\"feed-1\"} 52.65\n"
      "lat_seconds_count{connection=\"feed-1\"} 6\n";
  BOOST_TEST(r.render_prometheus() == expected);
}

// Backslash, double quote and line feed in label values; backslash and line feed in HELP.
BOOST_AUTO_TEST_CASE(exposition_escapes_label_values_and_help) {
  metrics_registry r;
  r.declare("odd_total", "A \"help\" with \\ and\nnewline.", metric_kind::counter);
  BOOST_TEST(r.add("odd_total", {{"connection", "a\\b\"c\nd"}}));
  const std::string text = r.render_prometheus();
  BOOST_TEST(contains(text, "# HELP odd_total A \"help\" with \\\\ and\\nnewline.\n"));
  BOOST_TEST(contains(text, "odd_total{connection=\"a\\\\b\\\"c\\nd\"} 1\n"));
}

// Families sorted by name, series by labels, labels by name: two registries fed in another
// order render the same text.
BOOST_AUTO_TEST_CASE(exposition_order_is_stable) {
  auto fill = [](metrics_registry& r, bool reversed) {
    r.declare("b_total", "B.", metric_kind::counter);
    r.declare("a_total", "A.", metric_kind::counter);
    std::vector<metric_labels> series{{{"x", "2"}, {"y", "1"}}, {{"y", "0"}, {"x", "1"}}};
    if (reversed) std::swap(series[0], series[1]);
    for (const auto& labels : series) {
      r.add("a_total", labels);
      r.add("b_total", labels);
    }
  };
  metrics_registry one, two;
  fill(one, false);
  fill(two, true);
  const std::string text = one.render_prometheus();
  BOOST_TEST(text == two.render_prometheus());
  BOOST_TEST(text.find("a_total{x=\"1\",y=\"0\"} 1") < text.find("a_total{x=\"2\",y=\"1\"} 1"));
  BOOST_TEST(text.find("# TYPE a_total") < text.find("# TYPE b_total"));
}

BOOST_AUTO_TEST_CASE(label_order_does_not_matter) {
  metrics_registry r;
  r.declare("errors_total", "Errors.", metric_kind::counter);
  r.add("errors_total", {{"connection", "c"}, {"code", "timeout"}});
  r.add("errors_total", {{"code", "timeout"}, {"connection", "c"}});
  BOOST_TEST(r.series_count("errors_total") == 1u);
  BOOST_TEST(*r.counter_value("errors_total", {{"connection", "c"}, {"code", "timeout"}}) == 2);
}

BOOST_AUTO_TEST_CASE(forget_drops_every_series_of_a_label) {
  metrics_registry r;
  declare_wsnova_metrics(r);
  namespace n = metric_names;
  r.add(n::connects, feed1);
  r.add(n::errors, {{"code", "timeout"}, {"connection", "feed-1"}});
  r.observe(n::heartbeat_rtt, feed1, 0.01);
  r.set(n::connection_up, feed1, 1);
  r.set(n::connection_up, feed2, 1);
  BOOST_TEST(r.forget("connection", "feed-1") == 4u);
  BOOST_TEST(!r.counter_value(n::connects, feed1));
  BOOST_TEST(!r.histogram_count(n::heartbeat_rtt, feed1));
  BOOST_TEST(*r.gauge_value(n::connection_up, feed2) == 1);
  BOOST_TEST(!contains(r.render_prometheus(), "feed-1"));
  BOOST_TEST(r.forget("connection", "feed-1") == 0u);
}

// Recording never throws; what cannot be recorded is refused and leaves no series.
BOOST_AUTO_TEST_CASE(bad_records_are_refused) {
  metrics_registry r;
  r.declare("c_total", "C.", metric_kind::counter);
  r.declare("h", "H.", metric_kind::histogram, {1});
  BOOST_TEST(!r.add("missing_total", feed1));
  BOOST_TEST(!r.set("c_total", feed1, 1));   // wrong kind
  BOOST_TEST(!r.add("c_total", feed1, -1));  // counters only go up
  BOOST_TEST(!r.add("c_total", feed1, std::nan("")));
  BOOST_TEST(!r.add("c_total", {{"bad-name", "x"}}));
  BOOST_TEST(!r.add("c_total", {{"__reserved", "x"}}));
  BOOST_TEST(!r.add("c_total", {{"a", "1"}, {"a", "2"}}));  // a label twice
  BOOST_TEST(!r.observe("h", {{"le", "1"}}, 1));            // the exposition's label
  BOOST_TEST(!r.observe("h", feed1, std::nan("")));
  BOOST_TEST(r.series_count("c_total") == 0u);
  BOOST_TEST(r.series_count("h") == 0u);
}

BOOST_AUTO_TEST_CASE(bad_declarations_throw) {
  metrics_registry r;
  BOOST_CHECK_THROW(r.declare("1abc", "x", metric_kind::counter), std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("a-b", "x", metric_kind::counter), std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("h", "x", metric_kind::histogram), std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("h", "x", metric_kind::histogram, {1, 1}), std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("h", "x", metric_kind::histogram, {2, 1}), std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("h", "x", metric_kind::histogram, {std::nan("")}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("g", "x", metric_kind::gauge, {1}), std::invalid_argument);
  // A trailing +Inf is the implicit one; declaring the same family twice is harmless.
  r.declare("h", "x", metric_kind::histogram, {1, INFINITY});
  r.declare("h", "x", metric_kind::histogram, {1});
  BOOST_CHECK_THROW(r.declare("h", "other help", metric_kind::histogram, {1}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(r.declare("h", "x", metric_kind::counter), std::invalid_argument);
  BOOST_TEST(r.observe("h", {}, 5));
  BOOST_TEST(contains(r.render_prometheus(), "h_bucket{le=\"+Inf\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(standard_families_are_declared) {
  metrics_registry r;
  declare_wsnova_metrics(r);
  namespace n = metric_names;
  BOOST_TEST(r.observe(n::frame_to_handler, feed1, 30e-6));
  BOOST_TEST(r.observe(n::reconnect_downtime, feed1, 45));
  BOOST_TEST(r.add(n::supervisor_restarts, {{"child", "feed"}, {"supervisor", "root"}}));
  BOOST_TEST(r.set(n::send_queue_depth, feed1, 3));
  BOOST_TEST(latency_buckets().size() == 18u);
  BOOST_TEST(latency_buckets().front() == 50e-6);
  BOOST_TEST(latency_buckets().back() == 30);
  auto fast = *r.histogram_buckets(n::frame_to_handler, feed1);
  BOOST_TEST(fast.front() == 1u);  // 30 us falls in the first bucket (<= 50 us)
  auto down = *r.histogram_buckets(n::reconnect_downtime, feed1);
  const auto bounds = downtime_buckets();
  auto at_60s = std::find(bounds.begin(), bounds.end(), 60.0) - bounds.begin();
  BOOST_REQUIRE(at_60s > 0 && at_60s < static_cast<long>(bounds.size()));
  BOOST_TEST(down[at_60s - 1] == 0u);  // not <= 30 s
  BOOST_TEST(down[at_60s] == 1u);      // <= 60 s
  const std::string text = r.render_prometheus();
  BOOST_TEST(contains(text, "# TYPE wsnova_heartbeat_rtt_seconds histogram\n"));
  BOOST_TEST(contains(text, "# TYPE wsnova_connection_up gauge\n"));
  // Bounds written as Go clients write them (FormatFloat 'g'), so `le` values aggregate.
  BOOST_TEST(contains(text, "le=\"0.0001\"} 1\n"));
  BOOST_TEST(contains(text, "le=\"0.00025\"} 1\n"));
  BOOST_TEST(contains(
      text, "wsnova_frame_to_handler_seconds_bucket{connection=\"feed-1\",le=\"5e-05\"} 1\n"));
}

// Two threads adding to the same counter and histogram: no update lost.
BOOST_AUTO_TEST_CASE(concurrent_adds_sum_exactly) {
  metrics_registry r;
  r.declare("n_total", "N.", metric_kind::counter);
  r.declare("h", "H.", metric_kind::histogram, {0.5});
  constexpr int per_thread = 100000;
  auto work = [&r] {
    for (int i = 0; i < per_thread; ++i) {
      r.add("n_total", feed1);
      r.observe("h", feed1, 1);
    }
  };
  {
    std::jthread a{work};
    std::jthread b{work};
  }
  BOOST_TEST(*r.counter_value("n_total", feed1) == 2.0 * per_thread);
  BOOST_TEST(*r.histogram_count("h", feed1) == 2u * per_thread);
  BOOST_TEST(*r.histogram_sum("h", feed1) == 2.0 * per_thread);
}
