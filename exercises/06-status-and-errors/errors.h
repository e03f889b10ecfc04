// Lesson 06: the one place where problems become gRPC statuses.
//
// The handlers in user_service.cc and the lesson's tests
// (lessons/06-status-and-errors/errors_test.cc) both use these functions.
#ifndef LESSONS_06_STATUS_AND_ERRORS_ERRORS_H_
#define LESSONS_06_STATUS_AND_ERRORS_ERRORS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace course::lesson06 {

// INVALID_ARGUMENT for a request whose `field` is wrong, with rich details:
//   - the status message is `description`;
//   - the details (sent as the trailer grpc-status-details-bin) are a
//     serialized google.rpc.Status with the same code and message, whose
//     `details` hold exactly one google.rpc.BadRequest packed in an Any;
//   - that BadRequest has one field violation {field, description}.
grpc::Status BadRequestStatus(const std::string& field, const std::string& description);

// Turns a status of the domain code (absl::Status) into the status the RPC
// ends with: OK stays OK; every other code and its message are kept; a status
// made by course::domain::FieldError (domain::FieldOf finds its field)
// becomes a BadRequestStatus naming that field, with the status's message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace course::lesson06

#endif  // LESSONS_06_STATUS_AND_ERRORS_ERRORS_H_
