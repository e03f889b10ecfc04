// Status codes and rich error details, across RPCs (G1, L1, C2).
#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"
#include "google/rpc/status.pb.h"

namespace course::harness {

void AddErrorChecks(std::vector<CheckDef>& checks) {
  checks.push_back(
      {"errors.details-are-a-google-rpc-status", "G1",
       "grpc-status-details-bin holds a google.rpc.Status with the call's code and message",
       [](CheckContext& ctx) {
         v1::User user;
         grpc::Status status = GetUser(ctx, 0, &user);
         ctx.ExpectCode(status, grpc::StatusCode::INVALID_ARGUMENT, "GetUser with id 0");
         google::rpc::Status rich;
         ctx.Expect(!status.error_details().empty() && rich.ParseFromString(status.error_details()),
                    "the response has no google.rpc.Status in grpc-status-details-bin",
                    "a serialized google.rpc.Status",
                    "pass the serialized google.rpc.Status as the third "
                    "argument of grpc::Status (or your language's rich-status API)");
         ctx.Received(absl::StrCat("details: ", Describe(rich)));
         ctx.Expect(
             rich.code() == static_cast<int>(status.error_code()),
             absl::StrCat("google.rpc.Status.code is ", rich.code(),
                          " but the call's grpc-status is ", static_cast<int>(status.error_code())),
             "the same code in both places");
         ctx.Expect(rich.details_size() >= 1, "google.rpc.Status carries no details",
                    "a google.rpc.BadRequest packed in an Any");
       }});
  checks.push_back(
      {"errors.list-bad-request-names-the-field", "L1",
       "ListUsers errors name the offending field in a BadRequest", [](CheckContext& ctx) {
         v1::ListUsersRequest request;
         request.set_interval_ms(10001);
         ListResult listed = ListUsers(ctx, request);
         ctx.ExpectCode(listed.status, grpc::StatusCode::INVALID_ARGUMENT,
                        "ListUsers with interval_ms 10001");
         ctx.Expect(ViolatedFields(listed.status) == "interval_ms",
                    absl::StrCat("the BadRequest names [", ViolatedFields(listed.status), "]"),
                    "one violation for field \"interval_ms\"");
       }});
}

}  // namespace course::harness
