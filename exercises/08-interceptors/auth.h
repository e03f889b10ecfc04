// Lesson 08: who may create users (M2), as a small policy that the
// CreateUsers handler consults before it reads a single request.
//
// Why not an interceptor? On gRPC C++ 1.51 a server interceptor cannot end a
// call with a status of its choosing before the handler runs; see the
// lesson's README.
#ifndef LESSONS_08_INTERCEPTORS_AUTH_H_
#define LESSONS_08_INTERCEPTORS_AUTH_H_

#include <grpcpp/support/status.h>
#include <grpcpp/support/string_ref.h>

#include <map>
#include <string>

namespace course::lesson08 {

// The request metadata, as CallbackServerContext::client_metadata() gives it.
using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// OK when `token` is empty (the server runs without one) or when the
// metadata has `authorization: Bearer <token>`, exactly. Otherwise
// UNAUTHENTICATED when there is no `authorization` key at all, and
// PERMISSION_DENIED for any other value.
grpc::Status CheckBearerToken(const Metadata& metadata, const std::string& token);

}  // namespace course::lesson08

#endif  // LESSONS_08_INTERCEPTORS_AUTH_H_
