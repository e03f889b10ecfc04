// Lesson 06: the errors your errors.cc builds, unpacked the way a client does.
//
// Tasks 1 and 2 of the lesson are graded by these tests. A client never sees
// your grpc::Status object, only what travels: the code, the message and the
// trailer grpc-status-details-bin. So the tests read exactly those.
#include "errors.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "course/v1/course.grpc.pb.h"
#include "domain/validation.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace {

using course::lesson06::BadRequestStatus;
using course::lesson06::ToGrpcStatus;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "a code outside the canonical list";
  }
}

// Fails while `status` is still the stub's placeholder, with its TODO.
::testing::AssertionResult NotTheStub(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "still the stub's UNIMPLEMENTED: \"" << status.error_message() << "\"";
}

// What a client finds in grpc-status-details-bin, or why it finds nothing.
::testing::AssertionResult UnpackBadRequest(const grpc::Status& status, google::rpc::Status* rich,
                                            google::rpc::BadRequest* bad_request) {
  if (status.error_details().empty()) {
    return ::testing::AssertionFailure()
           << "the status has no details: pass rich.SerializeAsString() as the third "
              "argument of grpc::Status";
  }
  if (!rich->ParseFromString(status.error_details())) {
    return ::testing::AssertionFailure() << "the details are not a serialized google.rpc.Status";
  }
  if (rich->details_size() != 1) {
    return ::testing::AssertionFailure() << "google.rpc.Status has " << rich->details_size()
                                         << " details; want exactly one (the BadRequest)";
  }
  const google::protobuf::Any& any = rich->details(0);
  if (!any.Is<google::rpc::BadRequest>()) {
    return ::testing::AssertionFailure() << "the detail's type is \"" << any.type_url()
                                         << "\"; want a google.rpc.BadRequest packed with PackFrom";
  }
  if (!any.UnpackTo(bad_request)) {
    return ::testing::AssertionFailure() << "the BadRequest detail does not unpack";
  }
  return ::testing::AssertionSuccess();
}

TEST(BadRequestStatus, IsInvalidArgumentWithTheDescriptionAsItsMessage) {
  grpc::Status status = BadRequestStatus("id", "id must be greater than 0");
  ASSERT_TRUE(NotTheStub(status));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "got " << CodeName(status.error_code())
      << ": a bad request field is the client's mistake, INVALID_ARGUMENT";
  EXPECT_EQ(status.error_message(), "id must be greater than 0")
      << "the status message should be the description";
}

TEST(BadRequestStatus, DetailsAreAGoogleRpcStatusWithTheSameCodeAndMessage) {
  grpc::Status status = BadRequestStatus("page_size", "page_size must not be negative");
  ASSERT_TRUE(NotTheStub(status));
  google::rpc::Status rich;
  ASSERT_FALSE(status.error_details().empty())
      << "the status has no details: pass rich.SerializeAsString() as the third "
         "argument of grpc::Status";
  ASSERT_TRUE(rich.ParseFromString(status.error_details()))
      << "the details are not a serialized google.rpc.Status";
  EXPECT_EQ(rich.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT))
      << "google.rpc.Status.code must repeat the call's code (3, INVALID_ARGUMENT)";
  EXPECT_EQ(rich.message(), "page_size must not be negative")
      << "google.rpc.Status.message must repeat the call's message";
}

TEST(BadRequestStatus, PacksOneBadRequestNamingTheField) {
  grpc::Status status = BadRequestStatus("users[3].email", "email needs exactly one '@'");
  ASSERT_TRUE(NotTheStub(status));
  google::rpc::Status rich;
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(UnpackBadRequest(status, &rich, &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1) << "want one field violation";
  EXPECT_EQ(bad_request.field_violations(0).field(), "users[3].email");
  EXPECT_EQ(bad_request.field_violations(0).description(), "email needs exactly one '@'");
}

// A server whose GetUser always fails with BadRequestStatus, to see what
// really reaches a client over a socket.
class AlwaysBadRequest final : public course::v1::UserService::CallbackService {
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* /*request*/,
                                    course::v1::User* /*response*/) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(BadRequestStatus("id", "id must be greater than 0"));
    return reactor;
  }
};

TEST(BadRequestStatus, ReachesAClientInGrpcStatusDetailsBin) {
  AlwaysBadRequest service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_NE(port, 0);

  auto stub = course::v1::UserService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  course::v1::GetUserRequest request;
  course::v1::User user;
  grpc::Status status = stub->GetUser(&context, request, &user);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "the client got " << CodeName(status.error_code()) << ": \"" << status.error_message()
      << "\"";
  google::rpc::Status rich;
  google::rpc::BadRequest bad_request;
  // (the server's destructor shuts it down when an assertion returns early)
  ASSERT_TRUE(UnpackBadRequest(status, &rich, &bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "id");
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

TEST(ToGrpcStatus, KeepsOkAsOk) {
  grpc::Status status = ToGrpcStatus(absl::OkStatus());
  ASSERT_TRUE(NotTheStub(status));
  EXPECT_TRUE(status.ok()) << "got " << CodeName(status.error_code()) << " for an OK status";
}

TEST(ToGrpcStatus, KeepsTheCodeAndMessageOfOtherErrors) {
  const absl::Status errors[] = {
      absl::NotFoundError("no user with id 42"),
      absl::AlreadyExistsError("email ada@example.org is taken"),
      absl::ResourceExhaustedError("more than 10000 requests"),
      absl::FailedPreconditionError("the store is read-only"),
      absl::UnavailableError("the store is restarting"),
  };
  for (const absl::Status& error : errors) {
    grpc::Status status = ToGrpcStatus(error);
    ASSERT_TRUE(NotTheStub(status));
    EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(error.code()))
        << "for " << error.ToString() << " got " << CodeName(status.error_code())
        << ": keep the code (static_cast<grpc::StatusCode>(status.code()))";
    EXPECT_EQ(status.error_message(), std::string(error.message()))
        << "for " << error.ToString() << ": keep the message";
  }
}

TEST(ToGrpcStatus, TurnsAFieldErrorIntoABadRequest) {
  const absl::Status error = course::domain::FieldError("users[2].email", "email needs one '@'");
  grpc::Status status = ToGrpcStatus(error);
  ASSERT_TRUE(NotTheStub(status));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "got " << CodeName(status.error_code());
  EXPECT_EQ(status.error_message(), std::string(error.message())) << "keep the message";
  google::rpc::Status rich;
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(UnpackBadRequest(status, &rich, &bad_request))
      << "a status from domain::FieldError needs the BadRequest details "
         "(domain::FieldOf(status) gives the field)";
  ASSERT_EQ(bad_request.field_violations_size(), 1);
  EXPECT_EQ(bad_request.field_violations(0).field(), "users[2].email");
}

}  // namespace
