// Turns statuses, messages and metadata into short text for people.
#ifndef COURSE_HARNESS_CORE_DESCRIBE_H_
#define COURSE_HARNESS_CORE_DESCRIBE_H_

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "google/protobuf/message.h"
#include "google/rpc/error_details.pb.h"

namespace course::harness {

// "OK", "NOT_FOUND", ...
std::string CodeName(grpc::StatusCode code);
// "NOT_FOUND: no user with id 7", plus any BadRequest detail.
std::string DescribeStatus(const grpc::Status& status);
// One-line text form of a message: `id: 3 name: "Ann"`.
std::string Describe(const google::protobuf::Message& message);
// The google.rpc.BadRequest carried in grpc-status-details-bin, if any.
std::optional<google::rpc::BadRequest> BadRequestOf(const grpc::Status& status);
// The fields named by a BadRequest, comma-separated ("" when none).
std::string ViolatedFields(const grpc::Status& status);
// A metadata value from a finished call (initial metadata first, then
// trailers), if present.
std::optional<std::string> ServerMetadata(const grpc::ClientContext& context,
                                          const std::string& key);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_DESCRIBE_H_
