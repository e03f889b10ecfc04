// gRPC's interop test service (grpc.testing.TestService), served by the
// reference with --interop, as gRPC's interop test descriptions ask of a
// server (doc/interop-test-descriptions.md in grpc/grpc, "Server" part):
//
//   - payloads are COMPRESSABLE zeros of the size asked for; any other
//     response_type is INVALID_ARGUMENT;
//   - response_parameters are answered in order, each after its interval_us,
//     with gzip for a parameter whose `compressed` is true;
//   - response_compressed asks for a gzip-compressed unary response;
//   - response_status ends the call with that code and message (Echo Status);
//   - x-grpc-test-echo-initial comes back in the initial metadata and
//     x-grpc-test-echo-trailing-bin in the trailers (Echo Metadata);
//   - UnimplementedCall is not implemented: UNIMPLEMENTED.
//
// Not done: expect_compressed (CompressedRequest). A server on gRPC C++ 1.51
// has no public way to learn whether a request arrived compressed: the
// `grpc-encoding` header is kept from the application and the message's
// compressed flag is read by gRPC's core alone. So the reference accepts such
// requests either way, and says so in the interop suite's report.
//
// The class is not final: the mutant server (harness/selftest/mutants)
// overrides single RPCs to break one interop case at a time.
#ifndef COURSE_REFERENCE_INTEROP_TEST_SERVICE_H_
#define COURSE_REFERENCE_INTEROP_TEST_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "grpc/testing/test.grpc.pb.h"

namespace course::interop {

// The metadata keys of "Echo Metadata".
inline constexpr char kEchoInitial[] = "x-grpc-test-echo-initial";
inline constexpr char kEchoTrailing[] = "x-grpc-test-echo-trailing-bin";

// A payload of `size` zero bytes, type COMPRESSABLE.
grpc::testing::Payload ZeroPayload(int size);

// Brings grpc/testing/test.proto's descriptor into the binary, so that
// reflection can describe the TestService it lists (S2). That file declares
// services only: no code uses a message of it, and without a reference its
// object would be left in the proto library's archive. Call it where the
// service is registered.
void LinkTestProtoDescriptor();

// Copies the echo metadata of the request into the reply's initial metadata
// and trailers. Call before anything is sent.
void EchoMetadata(grpc::CallbackServerContext* context);

// OK, or INVALID_ARGUMENT when the response type or a size cannot be served.
grpc::Status CheckResponseType(grpc::testing::PayloadType type);

class TestServiceImpl : public grpc::testing::TestService::CallbackService {
 public:
  grpc::ServerUnaryReactor* EmptyCall(grpc::CallbackServerContext* context,
                                      const grpc::testing::Empty* request,
                                      grpc::testing::Empty* response) override;
  grpc::ServerUnaryReactor* UnaryCall(grpc::CallbackServerContext* context,
                                      const grpc::testing::SimpleRequest* request,
                                      grpc::testing::SimpleResponse* response) override;
  grpc::ServerUnaryReactor* CacheableUnaryCall(grpc::CallbackServerContext* context,
                                               const grpc::testing::SimpleRequest* request,
                                               grpc::testing::SimpleResponse* response) override;
  grpc::ServerWriteReactor<grpc::testing::StreamingOutputCallResponse>* StreamingOutputCall(
      grpc::CallbackServerContext* context,
      const grpc::testing::StreamingOutputCallRequest* request) override;
  grpc::ServerReadReactor<grpc::testing::StreamingInputCallRequest>* StreamingInputCall(
      grpc::CallbackServerContext* context,
      grpc::testing::StreamingInputCallResponse* response) override;
  grpc::ServerBidiReactor<grpc::testing::StreamingOutputCallRequest,
                          grpc::testing::StreamingOutputCallResponse>*
  FullDuplexCall(grpc::CallbackServerContext* context) override;
  grpc::ServerBidiReactor<grpc::testing::StreamingOutputCallRequest,
                          grpc::testing::StreamingOutputCallResponse>*
  HalfDuplexCall(grpc::CallbackServerContext* context) override;
  // UnimplementedCall is left to the generated base: UNIMPLEMENTED.
};

}  // namespace course::interop

#endif  // COURSE_REFERENCE_INTEROP_TEST_SERVICE_H_
