#include <wsnova/core/metrics.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace wsnova {

namespace {

bool is_name_start(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}

bool is_name_char(char c, bool colon_allowed) {
  return is_name_start(c, colon_allowed) || (c >= '0' && c <= '9');
}

// Metric names may contain ':' (recording rules), label names may not.
bool valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty() || !is_name_start(name.front(), colon_allowed)) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [colon_allowed](char c) { return is_name_char(c, colon_allowed); });
}

/// True when the label names are strictly increasing: sorted and no name twice.
bool strictly_sorted(const metric_labels& labels) {
  return std::adjacent_find(labels.begin(), labels.end(), [](const auto& a, const auto& b) {
           return a.first >= b.first;
         }) == labels.end();
}

/// Label names of a new series: valid, not reserved (`__` prefix), and no `le` on a
/// histogram (the exposition adds it). `labels` are strictly sorted here.
bool valid_label_names(const metric_labels& labels, metric_kind kind) {
  return std::all_of(labels.begin(), labels.end(), [kind](const auto& label) {
    const std::string& name = label.first;
    return valid_name(name, false) && name.rfind("__", 0) != 0 &&
           !(kind == metric_kind::histogram && name == "le");
  });
}

/// Appends `x` as Prometheus writes floats: shortest round-trip form, `+Inf`, `-Inf`, `NaN`.
/// Bucket bounds use the general format ("0.0001", "5e-05") like Go's `FormatFloat(x, 'g',
/// -1, 64)`, so that `le` values match those of Go clients and aggregate with them.
void append_number(std::string& out, double x, bool bound = false) {
  if (std::isnan(x)) {
    out += "NaN";
  } else if (std::isinf(x)) {
    out += x > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] =
        bound ? std::to_chars(std::begin(buf), std::end(buf), x, std::chars_format::general)
              : std::to_chars(std::begin(buf), std::end(buf), x);
    out.append(buf, ec == std::errc{} ? end : buf);
  }
}

void append_number(std::string& out, std::uint64_t x) {
  char buf[24];
  auto [end, ec] = std::to_chars(std::begin(buf), std::end(buf), x);
  out.append(buf, ec == std::errc{} ? end : buf);
}

/// Escapes a label value: backslash, double quote and line feed (exposition format 0.0.4).
void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

/// Escapes a HELP text: backslash and line feed (quotes stay as they are).
void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

/// Appends `{a="1",b="2"}` (with `le` last when given), or nothing without labels.
void append_labels(std::string& out, const metric_labels& labels, const double* le = nullptr) {
  if (labels.empty() && !le) return;
  out += '{';
  const char* sep = "";
  for (const auto& [key, value] : labels) {
    out += sep;
    out += key;
    out += "=\"";
    append_label_value(out, value);
    out += '"';
    sep = ",";
  }
  if (le) {
    out += sep;
    out += "le=\"";
    append_number(out, *le, true);
    out += '"';
  }
  out += '}';
}

/// A strictly sorted copy of `labels`, or nothing when a label name appears twice.
std::optional<metric_labels> canonical(const metric_labels& labels) {
  metric_labels sorted = labels;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!strictly_sorted(sorted)) return std::nullopt;
  return sorted;
}

}  // namespace

std::size_t metrics_registry::labels_hash::operator()(const metric_labels& labels) const noexcept {
  std::hash<std::string_view> hash;
  std::size_t h = labels.size();
  for (const auto& [key, value] : labels) {
    // boost::hash_combine's mixing step, twice per label.
    h ^= hash(key) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= hash(value) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return h;
}

std::size_t metrics_registry::name_hash::operator()(std::string_view name) const noexcept {
  return std::hash<std::string_view>{}(name);
}

std::string to_string(metric_kind kind) {
  switch (kind) {
    case metric_kind::counter:
      return "counter";
    case metric_kind::gauge:
      return "gauge";
    case metric_kind::histogram:
      return "histogram";
  }
  return "untyped";
}

void metrics_registry::declare(std::string name, std::string help, metric_kind kind,
                               std::vector<double> buckets) {
  if (!valid_name(name, true))
    throw std::invalid_argument("metrics_registry: invalid metric name '" + name + "'");
  if (kind == metric_kind::histogram) {
    if (!buckets.empty() && std::isinf(buckets.back()) && buckets.back() > 0) buckets.pop_back();
    if (buckets.empty())
      throw std::invalid_argument("metrics_registry: histogram '" + name + "' without buckets");
    bool finite =
        std::all_of(buckets.begin(), buckets.end(), [](double b) { return std::isfinite(b); });
    bool increasing =
        std::adjacent_find(buckets.begin(), buckets.end(), std::greater_equal<>{}) == buckets.end();
    if (!finite || !increasing)
      throw std::invalid_argument("metrics_registry: buckets of '" + name +
                                  "' must be finite and strictly increasing");
  } else if (!buckets.empty()) {
    throw std::invalid_argument("metrics_registry: buckets given for " + to_string(kind) + " '" +
                                name + "'");
  }
  std::lock_guard guard{mutex_};
  auto [it, added] = families_.try_emplace(std::move(name));
  family& f = it->second;
  if (added) {
    f.help = std::move(help);
    f.kind = kind;
    f.bounds = std::move(buckets);
  } else if (f.help != help || f.kind != kind || f.bounds != buckets) {
    throw std::invalid_argument("metrics_registry: '" + it->first +
                                "' declared again with another help, kind or buckets");
  }
}

metrics_registry::family* metrics_registry::family_of(std::string_view name, metric_kind kind) {
  return const_cast<family*>(std::as_const(*this).family_of(name, kind));
}

const metrics_registry::family* metrics_registry::family_of(std::string_view name,
                                                            metric_kind kind) const {
  auto fam = families_.find(name);
  return fam == families_.end() || fam->second.kind != kind ? nullptr : &fam->second;
}

metrics_registry::series* metrics_registry::find_or_add(family& f, const metric_labels& labels) {
  if (strictly_sorted(labels)) {  // the fast path: no copy
    if (auto it = f.series_.find(labels); it != f.series_.end()) return &it->second;
    return add_series(f, labels);
  }
  auto sorted = canonical(labels);
  if (!sorted) return nullptr;
  if (auto it = f.series_.find(*sorted); it != f.series_.end()) return &it->second;
  return add_series(f, *sorted);
}

metrics_registry::series* metrics_registry::add_series(family& f, const metric_labels& sorted) {
  if (!valid_label_names(sorted, f.kind)) return nullptr;
  series fresh;
  if (f.kind == metric_kind::histogram) fresh.buckets.assign(f.bounds.size() + 1, 0);
  return &f.series_.emplace(sorted, std::move(fresh)).first->second;
}

const metrics_registry::series* metrics_registry::find(std::string_view name, metric_kind kind,
                                                       const metric_labels& labels) const {
  const family* f = family_of(name, kind);
  if (!f) return nullptr;
  auto it = f->series_.end();
  if (strictly_sorted(labels)) {
    it = f->series_.find(labels);
  } else if (auto sorted = canonical(labels)) {
    it = f->series_.find(*sorted);
  }
  return it == f->series_.end() ? nullptr : &it->second;
}

bool metrics_registry::add(std::string_view name, const metric_labels& labels, double delta) {
  if (!(delta >= 0)) return false;  // also rejects NaN
  std::lock_guard guard{mutex_};
  family* f = family_of(name, metric_kind::counter);
  series* s = f ? find_or_add(*f, labels) : nullptr;
  if (!s) return false;
  s->value += delta;
  return true;
}

bool metrics_registry::set(std::string_view name, const metric_labels& labels, double value) {
  std::lock_guard guard{mutex_};
  family* f = family_of(name, metric_kind::gauge);
  series* s = f ? find_or_add(*f, labels) : nullptr;
  if (!s) return false;
  s->value = value;
  return true;
}

bool metrics_registry::observe(std::string_view name, const metric_labels& labels, double value) {
  if (std::isnan(value)) return false;
  std::lock_guard guard{mutex_};
  family* f = family_of(name, metric_kind::histogram);
  series* s = f ? find_or_add(*f, labels) : nullptr;
  if (!s) return false;
  const auto& bounds = f->bounds;
  // Bucket i counts bounds[i-1] < value <= bounds[i]; the last one everything above.
  auto index = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
  ++s->buckets[static_cast<std::size_t>(index)];
  ++s->count;
  s->value += value;
  return true;
}

std::size_t metrics_registry::forget(std::string_view key, std::string_view value) {
  std::lock_guard guard{mutex_};
  std::size_t dropped = 0;
  for (auto& [name, f] : families_) {
    dropped += std::erase_if(f.series_, [&](const auto& entry) {
      return std::any_of(entry.first.begin(), entry.first.end(), [&](const auto& label) {
        return label.first == key && label.second == value;
      });
    });
  }
  return dropped;
}

std::string metrics_registry::render_prometheus() const {
  std::string out;
  std::lock_guard guard{mutex_};
  // Hash maps have no order: sort families by name and series by labels for the output.
  std::vector<const std::pair<const std::string, family>*> families;
  families.reserve(families_.size());
  for (const auto& entry : families_) families.push_back(&entry);
  std::sort(families.begin(), families.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::vector<const std::pair<const metric_labels, series>*> sorted;
  for (const auto* entry : families) {
    const std::string& name = entry->first;
    const family& f = entry->second;
    sorted.clear();
    for (const auto& s : f.series_) sorted.push_back(&s);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    out += "# HELP ";
    out += name;
    out += ' ';
    append_help(out, f.help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += to_string(f.kind);
    out += '\n';
    for (const auto* entry_series : sorted) {
      const auto& [labels, s] = *entry_series;
      if (f.kind != metric_kind::histogram) {
        out += name;
        append_labels(out, labels);
        out += ' ';
        append_number(out, s.value);
        out += '\n';
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < s.buckets.size(); ++i) {
        cumulative += s.buckets[i];
        double le = i < f.bounds.size() ? f.bounds[i] : std::numeric_limits<double>::infinity();
        out += name;
        out += "_bucket";
        append_labels(out, labels, &le);
        out += ' ';
        append_number(out, cumulative);
        out += '\n';
      }
      out += name;
      out += "_sum";
      append_labels(out, labels);
      out += ' ';
      append_number(out, s.value);
      out += '\n';
      out += name;
      out += "_count";
      append_labels(out, labels);
      out += ' ';
      append_number(out, s.count);
      out += '\n';
    }
  }
  return out;
}

std::optional<double> metrics_registry::counter_value(std::string_view name,
                                                      const metric_labels& labels) const {
  std::lock_guard guard{mutex_};
  const series* s = find(name, metric_kind::counter, labels);
  return s ? std::optional{s->value} : std::nullopt;
}

std::optional<double> metrics_registry::gauge_value(std::string_view name,
                                                    const metric_labels& labels) const {
  std::lock_guard guard{mutex_};
  const series* s = find(name, metric_kind::gauge, labels);
  return s ? std::optional{s->value} : std::nullopt;
}

std::optional<std::uint64_t> metrics_registry::histogram_count(std::string_view name,
                                                               const metric_labels& labels) const {
  std::lock_guard guard{mutex_};
  const series* s = find(name, metric_kind::histogram, labels);
  return s ? std::optional{s->count} : std::nullopt;
}

std::optional<double> metrics_registry::histogram_sum(std::string_view name,
                                                      const metric_labels& labels) const {
  std::lock_guard guard{mutex_};
  const series* s = find(name, metric_kind::histogram, labels);
  return s ? std::optional{s->value} : std::nullopt;
}

std::optional<std::vector<std::uint64_t>> metrics_registry::histogram_buckets(
    std::string_view name, const metric_labels& labels) const {
  std::lock_guard guard{mutex_};
  const series* s = find(name, metric_kind::histogram, labels);
  if (!s) return std::nullopt;
  std::vector<std::uint64_t> cumulative(s->buckets.size());
  std::partial_sum(s->buckets.begin(), s->buckets.end(), cumulative.begin());
  return cumulative;
}

std::size_t metrics_registry::series_count(std::string_view name) const {
  std::lock_guard guard{mutex_};
  auto fam = families_.find(name);
  return fam == families_.end() ? 0 : fam->second.series_.size();
}

std::vector<double> latency_buckets() {
  return {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3,
          50e-3, 100e-3, 250e-3, 500e-3, 1,    2.5,    5,    10,    30};
}

std::vector<double> downtime_buckets() {
  return {10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

void declare_wsnova_metrics(metrics_registry& registry) {
  namespace n = metric_names;
  using k = metric_kind;
  auto histogram = [&](std::string_view name, const char* help, std::vector<double> buckets) {
    registry.declare(std::string{name}, help, k::histogram, std::move(buckets));
  };
  auto plain = [&](std::string_view name, const char* help, metric_kind kind) {
    registry.declare(std::string{name}, help, kind);
  };
  histogram(n::connect_duration, "TCP connect including name resolution, in seconds.",
            latency_buckets());
  histogram(n::tls_handshake_duration, "TLS handshake, in seconds.", latency_buckets());
  histogram(n::upgrade_duration, "WebSocket upgrade request to its 101 response, in seconds.",
            latency_buckets());
  histogram(n::heartbeat_rtt, "Ping sent to pong received, in seconds.", latency_buckets());
  histogram(n::frame_to_handler, "Frame read to its message handler starting, in seconds.",
            latency_buckets());
  histogram(n::reconnect_downtime, "Connection lost to connection back, in seconds.",
            downtime_buckets());
  histogram(n::restore_duration,
            "Restore sequence after a reconnect (auth, subscriptions, buffered messages), in "
            "seconds.",
            latency_buckets());
  histogram(n::request_duration, "JSON-RPC request sent to its response, in seconds.",
            latency_buckets());
  plain(n::connects, "Connections established, first connects and reconnects.", k::counter);
  plain(n::disconnects, "Connections lost or closed.", k::counter);
  plain(n::messages_received, "Data messages received.", k::counter);
  plain(n::messages_sent, "Data messages sent.", k::counter);
  plain(n::errors, "Errors, by errc code.", k::counter);
  plain(n::rate_limited, "Requests a rate limit delayed or rejected.", k::counter);
  plain(n::supervisor_restarts, "Children restarted by a supervisor.", k::counter);
  plain(n::send_queue_depth, "Messages accepted and not yet written.", k::gauge);
  plain(n::connection_up, "1 while the connection is up, 0 otherwise.", k::gauge);
}

}  // namespace wsnova
