#include "agent/error.hpp"

#include <utility>

namespace bw::agent {

std::string Error::describe() const {
  if (aws) return aws->describe();
  return what.empty() ? message : what + ": " + message;
}

Error state_error(std::string what, std::string message) {
  return Error{Error::Kind::State, std::move(what), std::move(message), std::nullopt};
}

Error aws_failure(aws::Error error) {
  std::string message = error.message;
  return Error{Error::Kind::Aws, "", std::move(message), std::move(error)};
}

}  // namespace bw::agent
