// What a suite that checks any service (not the course contract) is told
// about it by the person running it: where the descriptors come from, which
// of the service's own methods it may call, and metadata every call carries.
#ifndef COURSE_HARNESS_CORE_SERVICE_OPTIONS_H_
#define COURSE_HARNESS_CORE_SERVICE_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

namespace course::harness {

struct ServiceOptions {
  // A serialized google.protobuf.FileDescriptorSet (from --descriptor-set, or
  // made by protoc from --proto); empty: learn the services by reflection.
  std::string descriptor_set;
  std::string descriptor_source;  // for people: "--proto a.proto", "--descriptor-set x.pb"
  // Globs over "package.Service/Method" the checks may call (--call-method).
  // Nothing else of the service is called, except health and reflection.
  std::vector<std::string> call_methods;
  // Sent as metadata on every call (-H 'key: value').
  std::vector<std::pair<std::string, std::string>> metadata;
};

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_SERVICE_OPTIONS_H_
