// Lesson 06: build the rich errors of the contract.
//
// Read lessons/06-status-and-errors/README.md first. The tests that grade
// this file are in lessons/06-status-and-errors/errors_test.cc; run them with
//   ./course check 06
#include "errors.h"

#include <optional>

#include "domain/validation.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace course::lesson06 {

grpc::Status BadRequestStatus(const std::string& field, const std::string& description) {
  // TODO(task 1): build a google::rpc::BadRequest with one field violation
  //               {field, description}; pack it into the `details` of a
  //               google::rpc::Status that has the same code and message; end
  //               with grpc::Status(INVALID_ARGUMENT, description,
  //               rich.SerializeAsString()).
  (void)field;
  (void)description;
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 1): BadRequestStatus");
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  // TODO(task 2): OK stays OK; when domain::FieldOf(status) names a field,
  //               return BadRequestStatus(field, message); otherwise keep the
  //               code (static_cast<grpc::StatusCode>) and the message.
  (void)status;
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 2): ToGrpcStatus");
}

}  // namespace course::lesson06
