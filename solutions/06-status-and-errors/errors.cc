// Lesson 06: rich error details, solved.
#include "errors.h"

#include <optional>

#include "domain/validation.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace course::lesson06 {

grpc::Status BadRequestStatus(const std::string& field, const std::string& description) {
  constexpr grpc::StatusCode kCode = grpc::StatusCode::INVALID_ARGUMENT;

  // The detail a program can act on: which field, and why.
  google::rpc::BadRequest bad_request;
  google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
  violation->set_field(field);
  violation->set_description(description);

  // The envelope: google.rpc.Status repeats the code and message, so that a
  // client that only reads the details still sees the whole error. Details
  // are `Any`s: PackFrom records the type URL next to the bytes, so the
  // client can ask "is this a BadRequest?" before unpacking it.
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(kCode));
  rich.set_message(description);
  rich.add_details()->PackFrom(bad_request);

  // The third argument travels as the binary trailer grpc-status-details-bin.
  return grpc::Status(kCode, description, rich.SerializeAsString());
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const std::string message(status.message());
  // A problem with one request field deserves the details a client can use.
  if (std::optional<std::string> field = domain::FieldOf(status)) {
    return BadRequestStatus(*field, message);
  }
  // absl and gRPC number the canonical codes alike (both follow
  // google.rpc.Code), so the cast keeps the meaning.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message);
}

}  // namespace course::lesson06
