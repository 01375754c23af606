#pragma once
// The agent's own failures as values: the state database that cannot be opened or written, and the
// AWS failures that end a cycle. An AWS failure is kept whole, so what the CLI prints for it is the
// AWS client's own description, and a test can still ask which call failed and why.
#include <optional>
#include <string>
#include <utility>

#include "aws/error.hpp"

namespace bw::agent {

struct Error {
  enum class Kind {
    State,  // the state database could not be opened or written
    Aws,    // an AWS call failed; `aws` holds it
  };
  Kind kind = Kind::State;
  std::string what;     // what failed, as a person reads it: "state commit", "cannot open state database x.db"
  std::string message;  // why, as the layer below said it: "database is locked"
  std::optional<aws::Error> aws;

  // "state commit: database is locked"; an AWS failure as aws::Error::describe() writes it.
  std::string describe() const {
    if (aws) return aws->describe();
    return what.empty() ? message : what + ": " + message;
  }
};

inline Error state_error(std::string what, std::string message) {
  return Error{Error::Kind::State, std::move(what), std::move(message), std::nullopt};
}

inline Error aws_failure(aws::Error error) {
  std::string message = error.message;
  return Error{Error::Kind::Aws, "", std::move(message), std::move(error)};
}

// One Result template for the whole program (aws/error.hpp), holding the agent's error.
template <class T>
using Result = aws::Result<T, Error>;
using aws::Unit;

}  // namespace bw::agent
