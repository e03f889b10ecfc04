// Lesson 08: the token policy, solved.
#include "auth.h"

namespace course::lesson08 {

grpc::Status CheckBearerToken(const Metadata& metadata, const std::string& token) {
  if (token.empty()) return grpc::Status::OK;  // a server without a token lets everyone in
  // Metadata keys arrive in lower case: HTTP/2 header names are lower case.
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    // Who are you? The client did not say.
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "CreateUsers needs `authorization: Bearer <token>`");
  }
  // We know who you claim to be, and the answer is no. Compare the whole
  // value: a prefix or substring match would let "Bearer <token>x" in.
  if (it->second != grpc::string_ref("Bearer " + token)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "the bearer token is not this server's token");
  }
  return grpc::Status::OK;
}

}  // namespace course::lesson08
