// What the protocol suite knows of a service: its descriptors, from server
// reflection (v1, else v1alpha) or from the descriptor set the person gave
// (--descriptor-set, or --proto through protoc). Names and streaming kinds
// come from here, never from a list written for one service.
#ifndef COURSE_HARNESS_PROTOCOL_CATALOG_H_
#define COURSE_HARNESS_PROTOCOL_CATALOG_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness::protocol {

inline constexpr char kHealthService[] = "grpc.health.v1.Health";

// The files of a service, by name, as reflection or protoc gave them.
using FileSet = std::map<std::string, google::protobuf::FileDescriptorProto>;

// The services and a descriptor pool built from their files.
struct Catalog {
  std::vector<std::string> services;  // as reflection lists them, or declared in the files
  std::string source;                 // "reflection v1", "--proto a.proto", ...
  FileSet files;
  std::unique_ptr<google::protobuf::SimpleDescriptorDatabase> database;
  std::unique_ptr<google::protobuf::DescriptorPool> pool;
  std::string build_errors;  // what the pool said while building, if anything
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory;
};

// How far LearnByReflection goes; each stage is one reflection check.
enum class Stage { kList, kDescribe, kImports, kBuild };

// Learns the service by reflection up to `stage`, failing the check (with
// the reflection rule's words) at the first thing that does not work.
Catalog LearnByReflection(CheckContext& ctx, Stage stage = Stage::kBuild);

// The service as the run knows it: from the given descriptor set if there
// is one, else by reflection. Fails the check when neither works.
Catalog LearnServices(CheckContext& ctx);

// Builds `catalog.pool` from `catalog.files`; returns false when some file
// does not build (the errors are in build_errors).
bool BuildPool(Catalog& catalog);

}  // namespace course::harness::protocol

#endif  // COURSE_HARNESS_PROTOCOL_CATALOG_H_
