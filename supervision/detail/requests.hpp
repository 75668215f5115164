#pragma once

/// @file
/// The supervisor's request handlers (OTP's handle_call clauses), one function per
/// request of `supervisor_actor`. Each runs as a queued step and answers through a promise.

#include <string>
#include <vector>

#include <caf/typed_response_promise.hpp>

#include <wsnova/supervision/detail/supervisor_state.hpp>

namespace wsnova::detail {

/// Promise of a request answered with a handle.
using actor_promise = caf::typed_response_promise<caf::actor>;
/// Promise of a request answered with ok.
using ok_promise = caf::typed_response_promise<caf::ok_atom>;
/// Promise of `which_children`.
using which_promise = caf::typed_response_promise<std::vector<child_info>>;
/// Promise of `count_children`.
using count_promise = caf::typed_response_promise<child_counts>;
/// Promise of `get_childspec`.
using spec_promise = caf::typed_response_promise<child_spec>;

/// `start_child(spec)`.
actor_promise start_child(self_ptr self, child_spec spec);
/// `start_child(args)` (simple_one_for_one).
actor_promise start_child(self_ptr self, caf::message args);
/// `terminate_child(id)`.
ok_promise terminate_child(self_ptr self, std::string id);
/// `terminate_child(handle)`.
ok_promise terminate_child(self_ptr self, caf::actor handle);
/// `restart_child(id)`.
actor_promise restart_child(self_ptr self, std::string id);
/// `delete_child(id)`.
ok_promise delete_child(self_ptr self, std::string id);
/// `which_children`.
which_promise which_children(self_ptr self);
/// `count_children`.
count_promise count_children(self_ptr self);
/// `get_childspec(id)`.
spec_promise get_childspec(self_ptr self, std::string id);
/// `get_childspec(handle)`.
spec_promise get_childspec(self_ptr self, caf::actor handle);
/// `adopt(handle, spec)`.
ok_promise adopt(self_ptr self, caf::actor handle, child_spec spec);
/// `release(id)`.
actor_promise release(self_ptr self, std::string id);

}  // namespace wsnova::detail
