// The connection actor's use of the Error, Logging and Metrics behaviours.

#include <wsnova/actors/detail/connection_actor.hpp>

#include <iostream>

#include <wsnova/actors/events.hpp>
#include <wsnova/behaviors/redaction.hpp>
#include <wsnova/core/error.hpp>

namespace wsnova::detail {

caf::error connection_actor::behavior_reply_error(caf::error err) {
  if (err == caf::sec::request_timeout)
    return make_error(errc::timeout, "behaviour actor did not answer in time");
  if (err == caf::sec::request_receiver_down)
    return make_error(errc::actor_gone, "behaviour actor is gone");
  return err;
}

void connection_actor::report_error(caf::error err, std::string where,
                                    std::function<void()> go_on) {
  if (measures()) measure(metric_names::errors, 1, to_string(code_of(err)));
  if (config_->behaviors.error.is_default()) {
    tell_owner(error_event{connection_id_, std::move(err)});
    return go_on();
  }
  call(
      config_->behaviors.error, on_error_atom::value,
      [](const caf::error&, const std::string&) { return directive::ok(); },
      [this, err, go_on = std::move(go_on)](caf::expected<directive> answer) {
        if (lifecycle_.is(connection_state::closed)) return;
        if (!answer) {
          // The Error behaviour itself failed: its default applies.
          log(log_level::error, "behavior_failed", 0, caf::timespan{0},
              "error.on_error: " + describe(answer.error()));
          answer = directive::ok();
        }
        if (answer->kind != directive_kind::ignore) tell_owner(error_event{connection_id_, err});
        switch (answer->kind) {
          case directive_kind::ok:
          case directive_kind::ignore:
          case directive_kind::deferred:
            return go_on();
          case directive_kind::reply:
            apply(std::move(*answer));
            return go_on();
          case directive_kind::close:
            close_cause_ = err;  // why: closed_event and a pending connect carry it
            return apply(std::move(*answer));
          default:
            return apply(std::move(*answer));
        }
      },
      // A copy, not a move: the order in which arguments are evaluated is unspecified, and
      // moving here could leave the continuation's copy (the owner's error_event) empty.
      err, std::move(where));
}

void connection_actor::behavior_failed(const char* callback_name, caf::error err,
                                       std::function<void()> fallback) {
  log(log_level::warning, "behavior_failed", 0, caf::timespan{0},
      std::string{callback_name} + ": " + describe(err));
  report_error(std::move(err), std::string{"behavior:"} + callback_name, std::move(fallback));
}

void connection_actor::log(log_level level, std::string event, std::uint16_t code,
                           caf::timespan duration, std::string detail) {
  if (!logs(level)) return;
  log_event entry{level,
                  std::move(event),
                  connection_id_,
                  to_string(lifecycle_.state()),
                  redact_url(config_->url),
                  code,
                  duration,
                  std::move(detail)};
  notify(
      config_->behaviors.logging, log_atom::value,
      [](const log_event& x) { write_log_line(std::cerr, x); }, std::move(entry));
}

void connection_actor::measure(std::string_view name, double value, std::string code) {
  notify(
      config_->behaviors.metrics, metric_atom::value,
      [this](const metric_sample& x) {
        if (config_->metrics) record_metric(*config_->metrics, x);
      },
      metric_sample{std::string{name}, connection_id_, value, std::move(code)});
}

void connection_actor::report_counters(bool now_or_never) {
  const auto now = this->clock().now();
  const auto received = messages_received_ - reported_.received;
  const auto sent = messages_sent_ - reported_.sent;
  if (!now_or_never && received + sent < counter_batch && now - reported_.at < counter_period)
    return;
  if (received > 0) measure(metric_names::messages_received, static_cast<double>(received));
  if (sent > 0) measure(metric_names::messages_sent, static_cast<double>(sent));
  const auto queued = (session_ ? session_->queued_messages() : 0) + outbound_.buffered_messages();
  measure(metric_names::send_queue_depth, static_cast<double>(queued));
  reported_ = {messages_received_, messages_sent_, now};
}

void connection_actor::measure_duration(std::string_view name, caf::timespan duration) {
  measure(name, std::chrono::duration<double>{duration}.count());
}

}  // namespace wsnova::detail
