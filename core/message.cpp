#include <wsnova/core/message.hpp>

namespace wsnova {

const char* to_string(message_kind kind) { return kind == message_kind::text ? "text" : "binary"; }

}  // namespace wsnova
