// What the metrics_server tests share: an I/O thread for the server, the HTTP client of
// tests/support, and a parser of the exposition text written here from the format's
// description (the interop test checks against the reference parser).
#pragma once

#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <wsnova/tests/support/http_client.hpp>

namespace wsnova::test {

/// An `io_context` run by one thread until destruction (the server's I/O thread).
class io_thread {
 public:
  io_thread() : thread_([this] { context_.run(); }) {}
  ~io_thread() {
    guard_.reset();
    context_.stop();
  }
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  net::io_context& context() { return context_; }

 private:
  net::io_context context_;
  net::executor_work_guard<net::io_context::executor_type> guard_{context_.get_executor()};
  std::jthread thread_;  // last: joins before the context goes
};

/// One sample line of the exposition.
struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// The exposition text parsed: `# TYPE` by family, samples in order. Throws
/// `std::runtime_error` on anything the format 0.0.4 does not allow (as far as wsnova uses
/// it), including a sample whose family had no HELP and TYPE before it.
struct exposition {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> helps;
  std::vector<sample> samples;

  static exposition parse(std::string_view text) {
    exposition out;
    while (!text.empty()) {
      auto end = text.find('\n');
      if (end == std::string_view::npos) throw std::runtime_error("last line without \\n");
      out.line(text.substr(0, end));
      text.remove_prefix(end + 1);
    }
    return out;
  }

  /// Returns the value of the sample `name` with exactly `labels`; NaN (equal to nothing)
  /// when there is none.
  double value(std::string_view name, const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples)
      if (s.name == name && s.labels == labels) return s.value;
    return std::nan("");
  }

 private:
  static std::string family_of(const std::string& name,
                               const std::map<std::string, std::string>& types) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() > suffix.size() && name.ends_with(suffix)) {
        auto base = name.substr(0, name.size() - suffix.size());
        auto it = types.find(base);
        if (it != types.end() && it->second == "histogram") return base;
      }
    }
    return name;
  }

  void line(std::string_view l) {
    if (l.starts_with("# HELP ") || l.starts_with("# TYPE ")) {
      auto rest = l.substr(7);
      auto space = rest.find(' ');
      if (space == std::string_view::npos)
        throw std::runtime_error("bad comment: " + std::string{l});
      std::string name{rest.substr(0, space)};
      (l[2] == 'H' ? helps : types)[name] = std::string{rest.substr(space + 1)};
      return;
    }
    sample s;
    std::size_t i = 0;
    while (i < l.size() && l[i] != '{' && l[i] != ' ') ++i;
    s.name = l.substr(0, i);
    if (i < l.size() && l[i] == '{') {
      ++i;
      while (l.at(i) != '}') {
        auto eq = l.find("=\"", i);
        if (eq == std::string_view::npos) throw std::runtime_error("bad label: " + std::string{l});
        std::string key{l.substr(i, eq - i)};
        std::string value;
        for (i = eq + 2; l.at(i) != '"'; ++i) {
          if (l[i] != '\\') {
            value += l[i];
            continue;
          }
          char c = l.at(++i);
          if (c == 'n')
            value += '\n';
          else if (c == '\\' || c == '"')
            value += c;
          else
            throw std::runtime_error("bad escape in: " + std::string{l});
        }
        ++i;  // the closing quote
        if (l.at(i) == ',') ++i;
        s.labels.emplace(std::move(key), std::move(value));
      }
      ++i;  // '}'
    }
    if (l.at(i) != ' ') throw std::runtime_error("no value: " + std::string{l});
    std::string value{l.substr(i + 1)};
    s.value = value == "+Inf" ? HUGE_VAL : std::stod(value);
    auto family = family_of(s.name, types);
    if (!types.count(family) || !helps.count(family))
      throw std::runtime_error("sample before its HELP and TYPE: " + std::string{l});
    samples.push_back(std::move(s));
  }
};

}  // namespace wsnova::test
