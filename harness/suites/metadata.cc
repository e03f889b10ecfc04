// Metadata rules that apply to every RPC: the request-id echo (M1) and the
// token that CreateUsers needs when the server runs with one (M2).
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/check.h"
#include "core/describe.h"

namespace course::harness {
namespace {

constexpr char kRequestIdKey[] = "x-request-id";

constexpr char kEchoHint[] =
    "copy `x-request-id` from the request's metadata into the response's "
    "initial metadata, for every method; one server interceptor does it for "
    "all of them";

// A fresh id for each check, so an echo can never be a leftover.
std::string NewRequestId(CheckContext& ctx) {
  return absl::StrCat("conform-", absl::Hex(ctx.rng()(), absl::kZeroPad16));
}

// A value from the response's initial metadata only.
std::optional<std::string> InitialMetadata(const grpc::ClientContext& call,
                                           const std::string& key) {
  const auto& metadata = call.GetServerInitialMetadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

std::string Quoted(const std::optional<std::string>& value) {
  return value ? absl::StrCat("\"", *value, "\"") : "nothing";
}

// `grpcurl -v` shows response headers and trailers, which is what M1 is about.
std::string Grpcurl(CheckContext& ctx, const std::string& headers, const std::string& json,
                    const std::string& method) {
  const std::string address = ctx.target().Address();
  return absl::StrCat("grpcurl -plaintext -v ", headers, "-d '", json, "' ",
                      address.empty() ? "HOST:PORT" : address, " course.v1.UserService/", method);
}

// M1 for a response that carried a message: the id must be in the initial
// metadata (such a response is never trailers-only).
void ExpectEchoInInitialMetadata(CheckContext& ctx, const grpc::ClientContext& call,
                                 const std::string& id, const std::string& method) {
  const std::optional<std::string> initial = InitialMetadata(call, kRequestIdKey);
  const std::optional<std::string> anywhere = ServerMetadata(call, kRequestIdKey);
  ctx.Received(absl::StrCat(method, " -> x-request-id in initial metadata: ", Quoted(initial),
                            ", in metadata or trailers: ", Quoted(anywhere)));
  const std::string expected =
      absl::StrCat("x-request-id: \"", id, "\" in the initial metadata (M1)");
  if (initial == id) return;
  if (!initial && anywhere == id) {
    ctx.Fail(absl::StrCat(method,
                          " answered OK with x-request-id only in the "
                          "trailers; M1 wants it in the initial metadata"),
             expected,
             "put the id in the initial metadata (ServerContext::"
             "AddInitialMetadata before the first write, or an interceptor at "
             "PRE_SEND_INITIAL_METADATA); trailers are only for trailers-only "
             "errors");
  }
  ctx.Fail(initial ? absl::StrCat(method, " echoed x-request-id as \"", *initial, "\", not the \"",
                                  id, "\" it was sent")
                   : absl::StrCat(method,
                                  " answered OK without echoing "
                                  "x-request-id"),
           expected, kEchoHint);
}

// One CreateUsers call on a context the caller prepared (metadata and all).
CreateResult CreateOn(CheckContext& ctx, grpc::ClientContext& call,
                      const std::vector<v1::CreateUserRequest>& requests) {
  CreateResult result;
  v1::CreateUsersResponse response;
  auto writer = ctx.users().CreateUsers(&call, &response);
  for (const auto& request : requests) {
    ctx.Sent(absl::StrCat("CreateUsers <- ", Describe(request)));
    if (!writer->Write(request)) break;  // the server ended the call early
  }
  writer->WritesDone();
  ctx.Sent("CreateUsers <- half-close");
  result.status = writer->Finish();
  result.ids.assign(response.ids().begin(), response.ids().end());
  ctx.Received(
      absl::StrCat("CreateUsers -> ", DescribeStatus(result.status),
                   result.status.ok() ? absl::StrCat(", ", result.ids.size(), " ids") : ""));
  return result;
}

// CreateUsers with `authorization: <value>` (the check's own, not the
// target's).
CreateResult CreateWithAuthorization(CheckContext& ctx, const std::string& value,
                                     const std::vector<v1::CreateUserRequest>& requests) {
  auto call = ctx.NewCall();
  call->AddMetadata("authorization", value);
  ctx.Sent(absl::StrCat("CreateUsers <- metadata authorization: \"", value, "\""));
  return CreateOn(ctx, *call, requests);
}

void RequireToken(CheckContext& ctx) {
  if (ctx.target().Token().empty()) {
    throw CheckSkipped("the server runs without a token (pass --token to check M2)");
  }
}

std::string Header(const std::string& key, const std::string& value) {
  return absl::StrCat("-H '", key, ": ", value, "' ");
}

std::string CreateCommand(CheckContext& ctx, const std::string& headers,
                          const v1::CreateUserRequest& request) {
  return Grpcurl(
      ctx, headers,
      absl::StrCat("{\"name\": \"", request.name(), "\", \"email\": \"", request.email(), "\"}"),
      "CreateUsers");
}

std::string BearerHeader(CheckContext& ctx) {
  const std::string token = ctx.target().Token();
  return token.empty() ? "" : Header("authorization", absl::StrCat("Bearer ", token));
}

// --- M1 ---------------------------------------------------------------------

void EchoesOnSuccess(CheckContext& ctx) {
  const v1::User made = MakeUsers(ctx, 1).front();
  const std::string id = NewRequestId(ctx);
  v1::GetUserRequest request;
  request.set_id(made.id());
  ctx.Reproduce(Grpcurl(ctx, Header(kRequestIdKey, id), absl::StrCat("{\"id\": ", made.id(), "}"),
                        "GetUser"));
  auto call = ctx.NewCall();
  call->AddMetadata(kRequestIdKey, id);
  ctx.Sent(absl::StrCat("GetUser <- metadata x-request-id: \"", id, "\", ", Describe(request)));
  v1::User user;
  const grpc::Status status = ctx.users().GetUser(call.get(), request, &user);
  ctx.ExpectCode(status, grpc::StatusCode::OK, "GetUser of a user this check just created failed",
                 "this check needs GetUser to work first (rule G3)");
  ExpectEchoInInitialMetadata(ctx, *call, id, "GetUser");
}

void EchoesOnError(CheckContext& ctx) {
  const std::string id = NewRequestId(ctx);
  v1::GetUserRequest request;
  request.set_id(-1);  // an error on any server (G1)
  ctx.Reproduce(Grpcurl(ctx, Header(kRequestIdKey, id), "{\"id\": -1}", "GetUser"));
  auto call = ctx.NewCall();
  call->AddMetadata(kRequestIdKey, id);
  ctx.Sent(absl::StrCat("GetUser <- metadata x-request-id: \"", id, "\", ", Describe(request)));
  v1::User user;
  const grpc::Status status = ctx.users().GetUser(call.get(), request, &user);
  ctx.Received(absl::StrCat("GetUser -> ", DescribeStatus(status)));
  ctx.Expect(!status.ok(),
             "GetUser with id -1 answered OK, so there is no "
             "error response to look at",
             "an error for id -1 (G1: INVALID_ARGUMENT)",
             "reject id <= 0 before looking anything up (rule G1)");
  const std::optional<std::string> echoed = ServerMetadata(*call, kRequestIdKey);
  ctx.Received(absl::StrCat("GetUser -> x-request-id in metadata or trailers: ", Quoted(echoed)));
  if (echoed == id) return;
  ctx.Fail(echoed ? absl::StrCat("the error response echoed x-request-id as \"", *echoed,
                                 "\", not the \"", id, "\" it was sent")
                  : absl::StrCat("the ", CodeName(status.error_code()),
                                 " response carried no x-request-id, "
                                 "neither in its metadata nor in its trailers"),
           absl::StrCat("x-request-id: \"", id,
                        "\" in the initial metadata or, for a "
                        "trailers-only response, in the trailers (M1)"),
           "an error answered before anything was sent is usually "
           "trailers-only, so the id must ride in the trailers: add it to "
           "the trailing metadata too (ServerContext::AddTrailingMetadata, "
           "or an interceptor at PRE_SEND_STATUS)");
}

void EchoesOnStreams(CheckContext& ctx) {
  const std::vector<v1::User> made = MakeUsers(ctx, 2);

  // Server streaming.
  const std::string list_id = NewRequestId(ctx);
  v1::ListUsersRequest list;
  list.set_after_id(made.front().id() - 1);
  list.set_page_size(2);
  ctx.Reproduce(Grpcurl(ctx, Header(kRequestIdKey, list_id),
                        absl::StrCat("{\"after_id\": ", list.after_id(), ", \"page_size\": 2}"),
                        "ListUsers"));
  auto list_call = ctx.NewCall();
  list_call->AddMetadata(kRequestIdKey, list_id);
  ctx.Sent(absl::StrCat("ListUsers <- metadata x-request-id: \"", list_id, "\", ", Describe(list)));
  auto reader = ctx.users().ListUsers(list_call.get(), list);
  int received = 0;
  v1::User user;
  while (reader->Read(&user)) ++received;
  const grpc::Status list_status = reader->Finish();
  ctx.Received(
      absl::StrCat("ListUsers -> ", received, " users then ", DescribeStatus(list_status)));
  ctx.ExpectCode(list_status, grpc::StatusCode::OK,
                 "ListUsers of users this check just created failed",
                 "this check needs ListUsers to work first (rule L2)");
  ctx.Expect(received > 0,
             "ListUsers sent no users, though this check "
             "just created two after after_id",
             "the users created by this check (L2)",
             "this check needs ListUsers to work first (rule L2)");
  ExpectEchoInInitialMetadata(ctx, *list_call, list_id, "ListUsers");

  // Client streaming.
  const std::string create_id = NewRequestId(ctx);
  const v1::CreateUserRequest request = FreshUser(ctx);
  auto create_call = ctx.NewCall(std::chrono::milliseconds(0), true);
  create_call->AddMetadata(kRequestIdKey, create_id);
  ctx.Reproduce(CreateCommand(ctx, BearerHeader(ctx) + Header(kRequestIdKey, create_id), request));
  ctx.Sent(absl::StrCat("CreateUsers <- metadata x-request-id: \"", create_id, "\""));
  const CreateResult created = CreateOn(ctx, *create_call, {request});
  ctx.ExpectCode(created.status, grpc::StatusCode::OK, "CreateUsers of one valid user failed",
                 "this check needs CreateUsers to work first (rules C1-C5)");
  ExpectEchoInInitialMetadata(ctx, *create_call, create_id, "CreateUsers");
}

// --- M2 ---------------------------------------------------------------------

void CreateWithoutToken(CheckContext& ctx) {
  RequireToken(ctx);
  const v1::CreateUserRequest request = FreshUser(ctx);
  ctx.Reproduce(CreateCommand(ctx, "", request));
  const CreateResult result = CreateUsers(ctx, {request}, false);
  ctx.ExpectCode(result.status, grpc::StatusCode::UNAUTHENTICATED,
                 "CreateUsers without any `authorization` metadata",
                 result.status.ok() ? "check the `authorization` metadata at the start "
                                      "of CreateUsers, before reading any request"
                                    : "a missing `authorization` key is UNAUTHENTICATED "
                                      "(who are you?); PERMISSION_DENIED is for a "
                                      "token that is present but wrong");
}

void CreateWithWrongToken(CheckContext& ctx) {
  RequireToken(ctx);
  const std::string token = ctx.target().Token();
  // A wrong token, the right token without its scheme, and the right
  // token with something after it (a prefix comparison lets it in).
  const std::vector<std::string> wrong = {
      absl::StrCat("Bearer not-", token, absl::Hex(ctx.rng()() % 0xffff)),
      token,
      absl::StrCat("Bearer ", token, "x"),
  };
  for (const std::string& value : wrong) {
    const v1::CreateUserRequest request = FreshUser(ctx);
    ctx.Reproduce(CreateCommand(ctx, Header("authorization", value), request));
    const CreateResult result = CreateWithAuthorization(ctx, value, {request});
    ctx.ExpectCode(result.status, grpc::StatusCode::PERMISSION_DENIED,
                   absl::StrCat("CreateUsers with `authorization: ", value, "`"),
                   result.status.error_code() == grpc::StatusCode::UNAUTHENTICATED
                       ? "UNAUTHENTICATED is for a missing `authorization` key; a "
                         "key whose value is not exactly \"Bearer <token>\" is "
                         "PERMISSION_DENIED"
                       : "compare the whole value with \"Bearer \" + token, "
                         "exactly "
                         "(no prefix, suffix or substring match)");
  }
}

void CreateWithToken(CheckContext& ctx) {
  RequireToken(ctx);
  const v1::CreateUserRequest request = FreshUser(ctx);
  ctx.Reproduce(CreateCommand(ctx, BearerHeader(ctx), request));
  const CreateResult result = CreateUsers(ctx, {request}, true);
  ctx.ExpectCode(result.status, grpc::StatusCode::OK,
                 "CreateUsers of one valid user with the right token",
                 "the value is \"Bearer \" followed by the token given "
                 "to the server; read it from the `authorization` key "
                 "(lower case: gRPC metadata keys are lower case)");
  ctx.Expect(result.ids.size() == 1,
             absl::StrCat("CreateUsers returned ", result.ids.size(), " ids for 1 request"),
             "one id per request (C5)");
}

void RejectedTokenStoresNothing(CheckContext& ctx) {
  RequireToken(ctx);
  const std::vector<v1::CreateUserRequest> requests = {FreshUser(ctx), FreshUser(ctx)};
  ctx.Sent("CreateUsers <- no authorization metadata");
  const CreateResult without = CreateUsers(ctx, requests, false);
  const CreateResult wrong =
      CreateWithAuthorization(ctx, absl::StrCat("Bearer wrong-", ctx.target().Token()), requests);
  ctx.Expect(!without.status.ok() && !wrong.status.ok(),
             "CreateUsers was accepted without the right token, so "
             "there is no rejected call to look at",
             "UNAUTHENTICATED without a token, PERMISSION_DENIED with a "
             "wrong one (M2)",
             "check the token first in CreateUsers (rule C8)");
  ctx.Reproduce(CreateCommand(ctx, BearerHeader(ctx), requests.front()));
  ctx.Sent("CreateUsers <- metadata authorization: \"Bearer <token>\"");
  const CreateResult right = CreateUsers(ctx, requests, true);
  if (right.status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    ctx.Fail(
        "creating the same emails with the right token gives "
        "ALREADY_EXISTS: the calls rejected for their token stored "
        "users",
        "OK: nothing of a call rejected for its token is stored (M2)",
        "check the token before reading or storing any request; "
        "a handler that stores as it reads and checks the token "
        "at the end keeps the users");
  }
  ctx.ExpectCode(right.status, grpc::StatusCode::OK,
                 "CreateUsers with the right token, after two rejected "
                 "calls with the same users",
                 "nothing of a rejected call may be stored (M2)");
}

void GetUserNeedsNoToken(CheckContext& ctx) {
  RequireToken(ctx);
  const v1::User made = MakeUsers(ctx, 1).front();
  v1::User user;
  ctx.Sent("GetUser <- no authorization metadata");
  const grpc::Status status = GetUser(ctx, made.id(), &user);
  ctx.ExpectCode(status, grpc::StatusCode::OK, "GetUser of an existing user, without a token",
                 "only CreateUsers needs the token: check it in that "
                 "handler (or, in an interceptor, only for "
                 "/course.v1.UserService/CreateUsers)");
}

}  // namespace

void AddMetadataChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"metadata.echoes-request-id-on-success", "M1",
                    "GetUser echoes x-request-id in the initial metadata of an OK response",
                    EchoesOnSuccess});
  checks.push_back({"metadata.echoes-request-id-on-error", "M1",
                    "GetUser echoes x-request-id on an error response too (initial metadata "
                    "or, when trailers-only, trailers)",
                    EchoesOnError});
  checks.push_back({"metadata.echoes-request-id-on-streams", "M1",
                    "ListUsers and CreateUsers echo x-request-id in their initial metadata",
                    EchoesOnStreams});

  checks.push_back({"metadata.create-without-token-is-unauthenticated", "M2",
                    "CreateUsers without `authorization` metadata is UNAUTHENTICATED",
                    CreateWithoutToken});
  checks.push_back({"metadata.create-with-wrong-token-is-permission-denied", "M2",
                    "CreateUsers with any `authorization` other than \"Bearer <token>\" is "
                    "PERMISSION_DENIED",
                    CreateWithWrongToken});
  checks.push_back({"metadata.create-with-token-succeeds", "M2",
                    "CreateUsers with `authorization: Bearer <token>` succeeds", CreateWithToken});
  checks.push_back({"metadata.rejected-token-stores-nothing", "M2",
                    "CreateUsers rejected for its token stores none of its users",
                    RejectedTokenStoresNothing});
  checks.push_back({"metadata.get-user-needs-no-token", "M2",
                    "GetUser needs no token, even when the server runs with one",
                    GetUserNeedsNoToken});
}

}  // namespace course::harness
