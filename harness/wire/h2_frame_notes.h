// The notes of the frame log that both halves of the raw client write:
// h2_client.cc (frames nghttp2 sent or received) and h2_frames.cc (the log
// as text). Not for use outside harness/wire.
#ifndef COURSE_HARNESS_WIRE_H2_FRAME_NOTES_H_
#define COURSE_HARNESS_WIRE_H2_FRAME_NOTES_H_

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <string>

namespace course::wire {

// The client connection preface, which opens every HTTP/2 connection.
inline constexpr char kMagic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr std::size_t kMagicSize = sizeof kMagic - 1;

// `bytes` as hex pairs, cut after `max` bytes with the full length noted.
std::string Hex(const std::string& bytes, std::size_t max);

// SETTINGS values, error codes and increments: the part of a control frame
// worth reading in a log.
std::string ControlNote(const nghttp2_frame* frame);

}  // namespace course::wire

#endif  // COURSE_HARNESS_WIRE_H2_FRAME_NOTES_H_
