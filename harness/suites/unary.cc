// Unary RPC: GetUser (G1-G3).
#include <climits>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness {
namespace {

void RejectsId(CheckContext& ctx, std::int32_t id) {
  v1::User user;
  grpc::Status status = GetUser(ctx, id, &user);
  ctx.ExpectCode(status, grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("GetUser with id ", id),
                 "check `id <= 0` before looking the user up");
  ctx.Expect(ViolatedFields(status) == "id",
             absl::StrCat("the BadRequest detail names [", ViolatedFields(status), "]"),
             "a google.rpc.BadRequest in grpc-status-details-bin with one "
             "field violation for field \"id\"",
             "send the error with rich details (google.rpc.Status packing a "
             "BadRequest), not just a code and message");
}

}  // namespace

void AddUnaryChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"unary.get-user.rejects-zero-id", "G1",
                    "GetUser rejects id 0 with INVALID_ARGUMENT naming `id`",
                    [](CheckContext& ctx) { RejectsId(ctx, 0); }});
  checks.push_back({"unary.get-user.rejects-negative-id", "G1",
                    "GetUser rejects a negative id with INVALID_ARGUMENT naming `id`",
                    [](CheckContext& ctx) { RejectsId(ctx, -7); }});
  checks.push_back(
      {"unary.get-user.not-found-names-the-id", "G2",
       "GetUser of an id nobody has is NOT_FOUND, and the message names the id",
       [](CheckContext& ctx) {
         // Ids grow from 1; one this close to the top is never handed out
         // by a server of this course.
         const std::int32_t id = INT_MAX - static_cast<std::int32_t>(ctx.rng()() % 1000);
         v1::User user;
         grpc::Status status = GetUser(ctx, id, &user);
         ctx.ExpectCode(status, grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("GetUser of unused id ", id),
                        "return NOT_FOUND, not OK with an empty user");
         ctx.Expect(
             status.error_message().find(std::to_string(id)) != std::string::npos,
             absl::StrCat("the message \"", status.error_message(), "\" does not contain ", id),
             "a message that names the id, e.g. \"no user with id 42\"");
       }});
  checks.push_back(
      {"unary.get-user.returns-user-as-created", "G3",
       "GetUser returns each user exactly as created, UTF-8 and case included",
       [](CheckContext& ctx) {
         std::vector<v1::CreateUserRequest> requests;
         for (const char* name : {"Ada Lovelace", "Zoë Ðurić", "李小龍", "  padded  "}) {
           v1::CreateUserRequest request = FreshUser(ctx, name);
           request.set_email("Mixed.Case-" + request.email());
           requests.push_back(request);
         }
         CreateResult created = CreateUsers(ctx, requests);
         ctx.ExpectCode(created.status, grpc::StatusCode::OK, "creating users to fetch");
         ctx.Expect(created.ids.size() == requests.size(),
                    "CreateUsers returned the wrong number of ids", "one per request");
         for (std::size_t i = 0; i < requests.size(); ++i) {
           v1::User user;
           grpc::Status status = GetUser(ctx, created.ids[i], &user);
           ctx.ExpectCode(
               status, grpc::StatusCode::OK,
               absl::StrCat("GetUser of the id CreateUsers returned (", created.ids[i], ")"),
               "store users under the ids you return");
           v1::User want;
           want.set_id(created.ids[i]);
           want.set_name(requests[i].name());
           want.set_email(requests[i].email());
           ctx.Expect(user.SerializeAsString() == want.SerializeAsString(),
                      absl::StrCat("GetUser returned ", Describe(user)), Describe(want),
                      "keep name and email byte for byte: no trimming, no "
                      "lower-casing (only the uniqueness check folds case)");
         }
       }});
}

}  // namespace course::harness
