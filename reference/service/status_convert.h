// The one place where domain errors become gRPC statuses.
#ifndef COURSE_REFERENCE_SERVICE_STATUS_CONVERT_H_
#define COURSE_REFERENCE_SERVICE_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace course::service {

// Same code and message. A status that names a request field (see
// domain::FieldError) also carries a google.rpc.Status with a
// google.rpc.BadRequest detail, which gRPC sends as grpc-status-details-bin.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_STATUS_CONVERT_H_
