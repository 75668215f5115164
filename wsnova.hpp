#pragma once
/// @file
/// Umbrella header: everything a wsnova user needs.

#include <wsnova/core/backoff.hpp>
#include <wsnova/core/error.hpp>
#include <wsnova/core/message.hpp>

#include <wsnova/transport/session_options.hpp>
#include <wsnova/transport/tls.hpp>
#include <wsnova/transport/url.hpp>

#include <wsnova/behaviors/behavior_set.hpp>
#include <wsnova/behaviors/directive.hpp>
#include <wsnova/behaviors/json_rpc.hpp>
#include <wsnova/behaviors/redaction.hpp>
#include <wsnova/behaviors/shared_rate_limit.hpp>

#include <wsnova/supervision/child_spec.hpp>
#include <wsnova/supervision/restart_strategy.hpp>
#include <wsnova/supervision/supervisor.hpp>
#include <wsnova/supervision/supervisor_actor.hpp>
#include <wsnova/supervision/supervisor_flags.hpp>

#include <wsnova/actors/client.hpp>
#include <wsnova/actors/connection.hpp>
#include <wsnova/actors/connection_config.hpp>
#include <wsnova/actors/connection_owner.hpp>
#include <wsnova/actors/events.hpp>
#include <wsnova/actors/io_module.hpp>
#include <wsnova/actors/profiles.hpp>
#include <wsnova/actors/registry.hpp>
#include <wsnova/actors/spawn_connection.hpp>
#include <wsnova/actors/spawn_on_io.hpp>

#include <wsnova/adapters/adapter.hpp>
#include <wsnova/adapters/deribit_adapter.hpp>
#include <wsnova/adapters/echo_adapter.hpp>

#include <wsnova/distribution/node.hpp>
#include <wsnova/distribution/start_by_name.hpp>

#include <wsnova/observer/observer.hpp>
